"""Safety hazards (安全隐患) in the closed loop, and inspection rounds (隐患排查)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import LoopCase, StoredFile, Zone, ZoneopsModel
from zoneops.hazards import workflow


class Category(models.TextChoices):
    FIRE = "fire", _("Fire")
    ELECTRICAL = "electrical", _("Electrical")
    CHEMICALS = "chemicals", _("Hazardous chemicals")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")
    CONSTRUCTION = "construction", _("Construction site")
    CONFINED_SPACE = "confined_space", _("Confined space")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class InspectionRound(ZoneopsModel):
    """A planned inspection (排查) of some enterprises on a day, by named inspectors."""

    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), blank=True, related_name="+"
    )
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        verbose_name=_("enterprises"),
        blank=True,
        related_name="inspection_rounds",
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")

    def __str__(self) -> str:
        return self.title


class Hazard(ZoneopsModel):
    case = models.OneToOneField(
        LoopCase,
        verbose_name=_("closed-loop case"),
        on_delete=models.PROTECT,
        related_name="hazard",
    )
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Where, when it is not an enterprise.")
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default="general")
    description = models.TextField(_("description"))
    remedy = models.TextField(_("remedy"), blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("rectification deadline"))
    inspection = models.ForeignKey(
        InspectionRound,
        verbose_name=_("inspection round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("times returned for rework"), default=0)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [
            models.Index(fields=["zone", "level"], name="hazard_zone_level"),
            # The lists' order: their first page without sorting every hazard.
            models.Index(fields=["found_on", "id"], name="hazard_found"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hazards:hazard_detail", args=[self.pk])

    @property
    def state_label(self) -> str:
        return workflow.STATES.get(self.case.state, self.case.state)

    @property
    def owner(self):
        return self.case.handler


def photo_path(instance, filename: str) -> str:
    return f"hazards/{instance.hazard_id}/{instance.sha256[:16]}-{filename[-80:]}"


class HazardPhoto(StoredFile):
    class Kind(models.TextChoices):
        FOUND = "found", _("As found")
        EVIDENCE = "evidence", _("Rectification evidence")

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Evidence belongs to one rectification attempt: 0, then 1 after the first rework …
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    file = models.FileField(_("file"), upload_to=photo_path, max_length=300)

    zone_lookup = "hazard__zone"

    class Meta(StoredFile.Meta):
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
