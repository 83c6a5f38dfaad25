"""Economic indicators: the catalog, monthly values per zone, month approval, annual targets.

Statistical figures are reported as 本年累计 (ytd) with 同比 (yoy) growth against the same month
of last year. A cumulative indicator restarts every January; a point-in-time indicator (a count
of enterprises, say) is the stock at the end of the month.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import VIEW, role_may
from zoneops.core.access.querysets import RestrictedQuerySet
from zoneops.core.audit.editors import EditorLedger
from zoneops.core.models import Department, Zone, ZoneopsModel

MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]
YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class CatalogQuerySet(RestrictedQuerySet):
    """The catalog belongs to no zone: every signed-in role may read it, the role decides writes."""

    def restrict(self, user, action: str = VIEW) -> "CatalogQuerySet":
        return self if role_may(user, action, self.model) else self.none()


class Indicator(ZoneopsModel):
    """One indicator of the catalog (地区生产总值, 规上工业总产值 …) with a stable English code."""

    API_KEY = "code"  # the API reads and writes an indicator as its code (api_fields)

    class Kind(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative over the year (ytd)")
        POINT = "point", _("Point in time (end of month)")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Origin(models.TextChoices):
        ENTERED = "entered", _("Entered or imported")
        ENTERPRISE_FIGURES = "enterprise_figures", _("Aggregated from enterprise monthly figures")
        PROJECTS = "projects", _("From projects")
        LEADS = "leads", _("From investment leads")
        COUNTED = "counted", _("Counted")

    code = models.CharField(
        _("code"),
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9_]+$", _("Use lower-case letters, digits and '_'."))],
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUMULATIVE)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    origin = models.CharField(
        _("how values are obtained"),
        max_length=30,
        choices=Origin.choices,
        default=Origin.ENTERED,
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    objects = CatalogQuerySet.as_manager()
    zone_lookup = "pk"
    # The catalog is shared by every zone: administrators keep it, everybody reads it.
    role_actions = {
        "admin": frozenset({"view", "add", "change", "delete"}),
        "staff": frozenset({"view"}),
        "liaison": frozenset({"view"}),
        "leader": frozenset({"view"}),
    }

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    def zone_id_for_audit(self) -> int | None:
        return None

    @property
    def is_cumulative(self) -> bool:
        return self.kind == self.Kind.CUMULATIVE


class IndicatorValue(ZoneopsModel):
    """A zone's value of one indicator for one month: ytd (cumulative) or the month-end stock."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH_VALIDATORS)
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Year to date for a cumulative indicator; empty when only growth is known."),
    )
    yoy = models.DecimalField(
        _("yoy growth (%)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to compute it from the same month of last year."),
    )
    yoy_reported = models.BooleanField(
        _("growth as reported"),
        default=False,
        help_text=_("The growth was published (e.g. at comparable prices), not computed here."),
    )
    needs_review = models.BooleanField(_("needs review"), default=False, db_index=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-year", "-month", "zone__path", "indicator__sort_order"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "indicator", "year", "month"], name="indicatorvalue_unique"
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "year", "month"], name="indvalue_period"),
            # The lists' newest months first: only the latest month's values are sorted.
            models.Index(fields=["year", "month"], name="indvalue_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.indicator} {self.year}-{self.month:02d}"


class MonthClose(ZoneopsModel):
    """A zone's month approved by its statistics staff: its values are locked until reopened."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="month_closes"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH_VALIDATORS)
    is_locked = models.BooleanField(_("locked"), default=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=300, blank=True)

    # 三员分立: approving a month is the statistics staff's decision, not the system admin's.
    role_actions = {
        "admin": frozenset({"view"}),
        "staff": frozenset({"view", "add", "change", "delete"}),
        "liaison": frozenset({"view"}),
        "leader": frozenset({"view"}),
    }

    class Meta:
        ordering = ["-year", "-month", "zone__path"]
        verbose_name = _("month approval")
        verbose_name_plural = _("month approvals")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year", "month"], name="monthclose_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}-{self.month:02d}"


class Target(ZoneopsModel):
    """An annual target of a zone (or of one of its departments): a value, a growth or both."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="indicator_targets"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_targets",
        help_text=_("Only when the zone's target is decomposed to its departments."),
    )
    value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    growth = models.DecimalField(
        _("target growth (%)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-year", "zone__path", "indicator__sort_order"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "indicator", "year"],
                condition=Q(department__isnull=True),
                name="target_unique_zone",
            ),
            models.UniqueConstraint(
                fields=["zone", "indicator", "year", "department"],
                condition=Q(department__isnull=False),
                name="target_unique_department",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(growth__isnull=False),
                name="target_value_or_growth",
            ),
        ]

    def __str__(self) -> str:
        text = f"{self.zone} {self.indicator} {self.year}"
        return f"{text} {self.department}" if self.department_id else text


def progress_url(zone: Zone, year: int, month: int) -> str:
    return f"{reverse('indicators:progress')}?zone={zone.pk}&year={year}&month={month}"


class ValueEditor(EditorLedger):
    """Who entered or changed indicator values of a zone's month (the 四眼原则 ledger):
    ``approve_month`` refuses the approval of a month to anyone listed for it."""

    class Meta(EditorLedger.Meta):
        verbose_name = _("value editor")
        verbose_name_plural = _("value editors")
