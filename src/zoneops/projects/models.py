"""Key projects (重点项目): plans, milestones, blockers, progress notes and monthly figures."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.querysets import RestrictedQuerySet
from zoneops.core.models import Located, LoopCase, ZoneopsModel
from zoneops.projects.lights import annotate_lights

MONEY = {"max_digits": 16, "decimal_places": 2}
TEN_MILLION_WAN = 5000  # 5000万元
ONE_BILLION_WAN = 100000  # 10亿元 in 万元


class Tag(models.TextChoices):
    SPRING = "spring", _("Spring start")
    OVER_50M = "over_50m", _("≥50 million yuan")
    OVER_1B = "over_1b", _("≥1 billion yuan")
    PROVINCIAL = "provincial", _("Provincial key project")
    MUNICIPAL = "municipal", _("Municipal key project")


# Tags derived from the total investment; the others are chosen by staff.
AUTOMATIC_TAGS = (Tag.OVER_50M, Tag.OVER_1B)


TAG_ORDER = [str(t) for t in Tag.values]


def tags_to_text(tags) -> str:
    chosen = {str(t) for t in tags}
    values = [t for t in TAG_ORDER if t in chosen]
    return f",{','.join(values)}," if values else ""


def tags_from_text(text: str) -> list[str]:
    return [t for t in (text or "").strip(",").split(",") if t]


class ProjectQuerySet(RestrictedQuerySet):
    def with_lights(self, today: dt.date | None = None, elapsed=None):
        return annotate_lights(self, today=today, elapsed=elapsed)


class Project(Located, ZoneopsModel):
    """One key project of a zone, as the dispatch sheet (重点项目调度表) lists it."""

    class Type(models.TextChoices):
        NEW = "new", _("New")
        CONTINUED = "continued", _("Continued")
        EXPANSION = "expansion", _("Expansion")
        RENOVATION = "renovation", _("Renovation")

    class Category(models.TextChoices):
        INDUSTRIAL = "industrial", _("Industrial")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        SOCIAL = "social", _("Social undertaking")
        PLATFORM = "platform", _("Innovation platform")

    class Stage(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PREPARING = "preparing", _("Preparing")
        STARTED = "started", _("Started")
        IN_PRODUCTION = "in_production", _("In production")
        COMPLETED = "completed", _("Completed")

    code = models.CharField(_("project code"), max_length=40, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    zone = models.ForeignKey(
        "core.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="projects"
    )
    owner_name = models.CharField(_("owner enterprise name"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("owner enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    chain = models.CharField(_("industrial chain"), max_length=100, blank=True)
    type = models.CharField(_("project type"), max_length=20, choices=Type.choices)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.INDUSTRIAL
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNED, db_index=True
    )
    total_investment = models.DecimalField(_("total investment (10k yuan)"), **MONEY)
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    annual_plan = models.DecimalField(_("annual planned investment (10k yuan)"), default=0, **MONEY)
    completed_ytd = models.DecimalField(
        _("completed this year (10k yuan)"), default=0, editable=False, **MONEY
    )
    completed_month = models.PositiveSmallIntegerField(
        _("completed as of month"), null=True, blank=True, editable=False
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    planned_production = models.DateField(_("planned production"), null=True, blank=True)
    actual_production = models.DateField(_("actual production"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    actual_completion = models.DateField(_("actual completion"), null=True, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    leader_name = models.CharField(_("responsible leader"), max_length=50, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader (user)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    special_team = models.CharField(_("special team"), max_length=100, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    baselined_at = models.DateTimeField(_("baseline set at"), null=True, blank=True)

    objects = ProjectQuerySet.as_manager()
    map_point_kind = "project"
    # Derived from the monthly figures, which have their own audit rows.
    audit_exclude = ("created_at", "updated_at", "completed_ytd", "completed_month")

    class Meta:
        ordering = ["zone__path", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["zone", "stage"], name="project_zone_stage"),
            models.Index(fields=["plan_year", "zone"], name="project_year_zone"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tag_list(self) -> list[str]:
        return tags_from_text(self.tags)

    def tag_labels(self) -> list[str]:
        labels = dict(Tag.choices)
        return [str(labels[t]) for t in self.tag_list if t in labels]

    def apply_automatic_tags(self) -> None:
        tags = [t for t in self.tag_list if t not in AUTOMATIC_TAGS]
        total = self.total_investment or 0
        if total >= TEN_MILLION_WAN:
            tags.append(Tag.OVER_50M)
        if total >= ONE_BILLION_WAN:
            tags.append(Tag.OVER_1B)
        self.tags = tags_to_text(tags)

    def save(self, *args, **kwargs):
        self.apply_automatic_tags()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "total_investment" in update_fields:
            kwargs["update_fields"] = {*update_fields, "tags"}
        super().save(*args, **kwargs)

    @property
    def completion_rate(self):
        if not self.annual_plan:
            return None
        return round(self.completed_ytd * 100 / self.annual_plan, 1)


class AnnualPlan(ZoneopsModel):
    """A project's planned investment for one year; ``baseline`` is the plan as first set."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="annual_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    planned = models.DecimalField(_("planned investment (10k yuan)"), **MONEY)
    baseline = models.DecimalField(
        _("baseline planned investment (10k yuan)"), null=True, blank=True, **MONEY
    )

    zone_lookup = "project__zone"

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="annualplan_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}"

    @property
    def moved(self):
        if self.baseline is None:
            return None
        return self.planned - self.baseline


class MonthlyInvestment(ZoneopsModel):
    """Completed investment of a project, cumulative for the year (本年累计) at a month's end."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="monthly"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    completed_ytd = models.DecimalField(_("completed this year (10k yuan)"), **MONEY)

    zone_lookup = "project__zone"

    class Meta:
        ordering = ["project", "year", "month"]
        verbose_name = _("monthly investment")
        verbose_name_plural = _("monthly investment")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"], name="monthlyinvestment_unique_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}-{self.month:02d}"


class ProjectLightRollup(models.Model):
    """Key projects counted per zone and light as they stand on ``day``, with their plan and
    completed investment (``core.registries.rollups``, kind "project_lights"): what the
    dashboard's lights panel reads instead of working out every project's light.

    A light depends on the day (序时进度, late milestones and blockers), so the rows are kept
    for one day: every write of a project, milestone or blocker recomputes its zone for that
    day, and the first read of a new day (or ``zoneops tick``) recomputes every zone for it."""

    bumps_data_version = False  # derived rows: refilling them for a new day changes no figure

    zone = models.ForeignKey(
        "core.Zone", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    light = models.PositiveSmallIntegerField()
    projects = models.PositiveIntegerField()
    annual_plan = models.DecimalField(**MONEY)
    completed_ytd = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"{self.zone_id} {self.day} light {self.light}: {self.projects}"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "day", "light"], name="projectlight_key")
        ]


class Milestone(ZoneopsModel):
    """A node of the plan (节点计划); ``baseline_date`` is the date the annual plan set."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("milestone"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    zone_lookup = "project__zone"

    class Meta:
        ordering = ["project", "order", "planned_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [
            models.Index(fields=["project", "actual_date", "planned_date"], name="milestone_open")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.name}"

    @property
    def days_moved(self) -> int | None:
        if self.baseline_date is None:
            return None
        return (self.planned_date - self.baseline_date).days

    def is_overdue(self, today: dt.date) -> bool:
        return self.actual_date is None and self.planned_date < today


class Blocker(ZoneopsModel):
    """A factor-guarantee problem (要素保障问题) handled as a closed-loop case."""

    class Kind(models.TextChoices):
        LAND = "land", _("Land")
        PLANNING_PERMIT = "planning_permit", _("Planning permit")
        CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")
        EIA = "eia", _("Environmental impact assessment")
        ENERGY = "energy", _("Energy assessment")
        POWER = "power", _("Power supply")
        WATER = "water", _("Water supply")
        GAS = "gas", _("Gas supply")
        FUNDING = "funding", _("Funding")
        LABOUR = "labour", _("Labour")
        OTHER = "other", _("Other")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="blockers"
    )
    case = models.OneToOneField(
        LoopCase, verbose_name=_("closed-loop case"), on_delete=models.PROTECT, editable=False
    )
    kind = models.CharField(_("kind of blocker"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("description"))

    zone_lookup = "project__zone"

    class Meta:
        ordering = ["-id"]
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.get_kind_display()}"


def photo_path(instance, filename: str) -> str:
    return f"projects/photos/{dt.date.today():%Y/%m}/{filename}"


class ProgressNote(ZoneopsModel):
    """A dated note on the project's progress, with photos of the site."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="notes"
    )
    date = models.DateField(_("date"), default=dt.date.today)
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    zone_lookup = "project__zone"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("projects:progressnote_detail", args=[self.pk])


class ProgressPhoto(ZoneopsModel):
    note = models.ForeignKey(
        ProgressNote,
        verbose_name=_("progress note"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(_("photo"), upload_to=photo_path)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))

    zone_lookup = "note__project__zone"
    filter_exempt = ("image",)

    class Meta:
        ordering = ["id"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return self.image.name.rsplit("/", 1)[-1]

    def get_absolute_url(self) -> str:
        return self.note.get_absolute_url()
