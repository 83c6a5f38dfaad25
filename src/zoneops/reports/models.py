"""Dispatch packs (调度通报): what was put before the leaders, kept to compare with the next."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Zone, ZoneopsModel


class DispatchPack(ZoneopsModel):
    bumps_data_version = False  # no cached figure reads it (core.db.versions)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The sections as they were when the pack was made: the files are rendered from this.
    snapshot = models.JSONField(_("content"), default=list)
    # 发文字号: taken when the pack is issued (services.issue_pack), never on a preview.
    number_year = models.PositiveSmallIntegerField(_("document number year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("document number"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    role_actions = {
        "admin": frozenset({"view", "add", "change", "delete"}),
        "staff": frozenset({"view", "add"}),
        "liaison": frozenset(),
        "leader": frozenset({"view", "add"}),
    }
    filter_exempt = ("snapshot",)

    class Meta:
        ordering = ["-year", "-month", "-created_at"]
        verbose_name = _("dispatch pack")
        verbose_name_plural = _("dispatch packs")
        indexes = [models.Index(fields=["zone", "year", "month"], name="pack_zone_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "number_year", "number"],
                condition=models.Q(number__isnull=False),
                name="pack_number_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"


class Letterhead(ZoneopsModel):
    """How a zone's documents are headed (版头) and closed (版记)."""

    zone = models.OneToOneField(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="letterhead"
    )
    issuer = models.CharField(
        _("issuing authority"),
        max_length=100,
        help_text=_("Signs the document, e.g. 长春高新技术产业开发区管理委员会."),
    )
    mark = models.CharField(
        _("issuer mark"),
        max_length=60,
        blank=True,
        help_text=_("The red 发文机关标志 (default: the issuing authority)."),
    )
    code_prefix = models.CharField(
        _("document code"),
        max_length=20,
        help_text=_("The 机关代字 of the document number, e.g. 长高新调."),
    )
    recipients = models.CharField(_("main recipients"), max_length=200, blank=True)
    copy_to = models.CharField(_("copied to"), max_length=300, blank=True)
    printer = models.CharField(
        _("printed by"), max_length=100, blank=True, help_text=_("印发机关, e.g. its office.")
    )

    role_actions = {
        "admin": frozenset({"view", "add", "change", "delete"}),
        "staff": frozenset({"view"}),
        "liaison": frozenset(),
        "leader": frozenset({"view"}),
    }

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return self.issuer


class DocumentCounter(ZoneopsModel):
    """The last 发文字号 taken by a zone in a year: numbers only go up, a deleted pack's too."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    role_actions = {
        "admin": frozenset({"view"}),
        "staff": frozenset({"view"}),
        "liaison": frozenset(),
        "leader": frozenset({"view"}),
    }

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="document_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}: {self.last_number}"
