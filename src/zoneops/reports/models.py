"""Dispatch packs (调度通报): what was put before the leaders, kept to compare with the next."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Zone, ZoneopsModel


class DispatchPack(ZoneopsModel):
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

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"
