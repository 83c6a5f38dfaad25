"""Enterprises: registry, gradient cultivation, liaison cadres, visits and monthly figures."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import ACTIONS, VIEW
from zoneops.core.access.querysets import RestrictedQuerySet
from zoneops.core.audit.editors import EditorLedger
from zoneops.core.models import Department, Located, StoredFile, Zone, ZoneopsModel
from zoneops.enterprises.uscc import validate_uscc

ALL = frozenset(ACTIONS)
READ = frozenset({VIEW})
WORK = frozenset({"view", "add", "change"})
# Liaison cadres record what they do with their enterprises; the registry itself is staff's.
LIAISON_WORKS = {"admin": ALL, "staff": ALL, "liaison": WORK, "leader": READ}
STAFF_ONLY = {"admin": ALL, "staff": ALL, "liaison": READ, "leader": READ}

MONEY = {"max_digits": 16, "decimal_places": 2}


class IndustryQuerySet(RestrictedQuerySet):
    """Reference data of every zone: anyone whose role may view sees all of it."""

    def restrict(self, user, action=VIEW):
        from zoneops.core.access.permissions import role_may

        return self if role_may(user, action, self.model) else self.none()


class Industry(models.Model):
    """One entry of GB/T 4754-2017 国民经济行业分类: section, division, group or class.

    Loaded from ``data/gbt4754_2017.csv`` by a migration; not edited in the product.
    """

    API_KEY = "code"  # the API reads and writes an industry as its code (api_fields)

    class Level(models.IntegerChoices):
        SECTION = 1, _("Section")
        DIVISION = 2, _("Division")
        GROUP = 3, _("Group")
        CLASS = 4, _("Class")

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    section = models.CharField(_("section"), max_length=1, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = IndustryQuerySet.as_manager()
    role_actions = {"admin": READ, "staff": READ, "liaison": READ, "leader": READ}

    class Meta:
        ordering = ["section", "code"]
        verbose_name = _("industry (GB/T 4754-2017)")
        verbose_name_plural = _("industries (GB/T 4754-2017)")

    def __str__(self) -> str:
        return f"{self.full_code} {self.name}"

    @property
    def full_code(self) -> str:
        """As the standard prints it: section letter before the digits (C2761)."""
        return self.code if self.level == self.Level.SECTION else f"{self.section}{self.code}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:industry_detail", args=[self.pk])


class IndustrialChain(ZoneopsModel):
    """One of a zone's industrial chains (汽车及零部件, 生物医药, 光电信息 …)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="industrial_chains"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["zone__path", "name"]
        verbose_name = _("industrial chain")
        verbose_name_plural = _("industrial chains")
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="industrialchain_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    """The gradient of cultivation, lowest first (科技型中小企业 → … → 独角兽)."""

    TECH_SME = "tech_sme", _("Tech-based SME")
    HNTE = "hnte", _("High and new technology enterprise")
    SRDI = "srdi", _("Specialised, refined, distinctive and innovative (provincial)")
    LITTLE_GIANT = "little_giant", _("Little giant (national SRDI)")
    GAZELLE = "gazelle", _("Gazelle enterprise")
    UNICORN = "unicorn", _("Unicorn enterprise")


TIER_RANK = {tier: rank for rank, tier in enumerate(Tier.values, start=1)}


class Enterprise(Located, ZoneopsModel):
    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        IDLE = "idle", _("Idle (production and operation stopped)")
        DEREGISTERED = "deregistered", _("Deregistered")

    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("18 characters, GB 32100-2015 (checked)."),
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        db_index=False,  # enterprise_zone_id below leads with the zone
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10k yuan)"), null=True, blank=True, **MONEY
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    chain = models.ForeignKey(
        IndustrialChain,
        verbose_name=_("industrial chain"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    is_chain_leader = models.BooleanField(_("chain leader"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPERATING
    )
    above_scale = models.BooleanField(
        _("above scale"),
        default=False,
        help_text=_("In the statistics office's register of above-scale (四上) units."),
    )
    above_scale_since = models.DateField(_("above scale since"), null=True, blank=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="LiaisonAssignment",
        verbose_name=_("liaison cadres"),
        related_name="liaison_enterprises",
        blank=True,
    )

    role_actions = STAFF_ONLY
    map_point_kind = "enterprise"

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["zone", "status"], name="enterprise_zone_status"),
            # A zone's enterprise ids without reading their rows (an index-only scan): the
            # lists of their certifications, figures and contacts join through them, and a
            # zone's 20,000 enterprises lie on as many pages of the table.
            models.Index(fields=["zone", "id"], name="enterprise_zone_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = (self.uscc or "").strip().upper()
        super().save(*args, **kwargs)


class Contact(ZoneopsModel):
    """A person at an enterprise. Phones are masked for roles that do not need them."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    zone_lookup = "enterprise__zone"
    role_actions = LIAISON_WORKS
    # Roles that read phone numbers in full; everybody else sees 138****1234.
    phone_roles = frozenset({"admin", "staff", "liaison"})

    class Meta:
        ordering = ["enterprise__name", "-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.enterprise})"


def evidence_path(instance, filename: str) -> str:
    return f"enterprises/certifications/{dt.date.today():%Y/%m}/{filename}"


class Certification(ZoneopsModel):
    """A certificate an enterprise holds; a tier is held only while one is valid."""

    class Kind(models.TextChoices):
        TECH_SME = "tech_sme", _("Tech-based SME")
        HNTE = "hnte", _("High and new technology enterprise")
        SRDI = "srdi", _("Specialised, refined, distinctive and innovative (provincial)")
        LITTLE_GIANT = "little_giant", _("Little giant (national SRDI)")
        GAZELLE = "gazelle", _("Gazelle enterprise")
        UNICORN = "unicorn", _("Unicorn enterprise")
        INNOVATION_DEMO = "innovation_demo", _("Technological innovation demonstration enterprise")
        TECH_CENTER = "tech_center", _("Enterprise technology centre")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        CITY = "city", _("City")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="certifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("Left empty for a 高新技术企业: three years from the issue date."),
    )
    evidence = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    # 0 for kinds outside the gradient; else the tier's place in it (kept from ``kind``).
    rank = models.PositiveSmallIntegerField(_("tier rank"), default=0, editable=False)
    # The enterprise's zone, kept with it (``save`` here, ``follow_enterprise_zones`` when an
    # enterprise moves): a zone's certifications are read from their own index instead of
    # joining the zone's every enterprise.
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
    )

    role_actions = STAFF_ONLY
    filter_exempt = ("evidence",)

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [
            models.Index(fields=["kind", "issued_on", "expires_on"], name="cert_kind_dates"),
            models.Index(fields=["enterprise", "rank"], name="cert_enterprise_rank"),
            # The lists' order: their first page without sorting every certification.
            models.Index(fields=["expires_on", "id"], name="cert_expiry"),
            # A zone's list in that order, and its count from the index alone.
            models.Index(fields=["zone", "expires_on", "id"], name="cert_zone_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.rank = TIER_RANK.get(self.kind, 0)
        if self.expires_on is None and self.kind == self.Kind.HNTE and self.issued_on:
            self.expires_on = add_years(self.issued_on, 3) - dt.timedelta(days=1)
        self.zone_id = self.enterprise.zone_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "rank", "expires_on", "zone"}
        super().save(*args, **kwargs)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or self.expires_on >= day)


def follow_enterprise_zones(enterprise_ids=None) -> int:
    """Certifications take their enterprise's zone again after enterprises moved (``None``:
    every enterprise); the number changed. A save of an enterprise does it for its own
    (``enterprise_moved``); a bulk writer past ``save()`` calls it with the ids it wrote."""
    zone_of = Enterprise._base_manager.filter(pk=models.OuterRef("enterprise_id")).values("zone_id")
    stale = Certification._base_manager.exclude(zone_id=models.Subquery(zone_of[:1]))
    if enterprise_ids is not None:
        stale = stale.filter(enterprise_id__in=enterprise_ids)
    return stale.update(zone_id=models.Subquery(zone_of[:1]))


def enterprise_moved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """post_save of an enterprise: its certifications follow it to its zone."""
    if created or raw:
        return
    follow_enterprise_zones([instance.pk])


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class LiaisonAssignment(ZoneopsModel):
    """包保: a cadre responsible for an enterprise (one or more per enterprise)."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="liaison_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison cadre"),
        on_delete=models.PROTECT,
        related_name="liaison_assignments",
    )
    is_lead = models.BooleanField(_("lead cadre"), default=False)
    since = models.DateField(_("since"), default=dt.date.today)

    zone_lookup = "enterprise__zone"
    role_actions = STAFF_ONLY

    class Meta:
        ordering = ["enterprise__name", "-is_lead"]
        verbose_name = _("liaison assignment")
        verbose_name_plural = _("liaison assignments")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "user"], name="liaison_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise}"


class Visit(ZoneopsModel):
    """走访: a cadre's visit to an enterprise and what was found."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"), default=dt.date.today, db_index=True)
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        related_name="enterprise_visits",
    )
    people_met = models.CharField(_("people met"), max_length=200, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    appeals_raised = models.TextField(
        _("appeals raised"),
        blank=True,
        help_text=_("What the enterprise asked for; becomes an appeal in the appeals module."),
    )

    zone_lookup = "enterprise__zone"
    role_actions = LIAISON_WORKS

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["enterprise", "visited_on"], name="visit_enterprise_day")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on:%Y-%m-%d}"


def visit_photo_path(instance, filename: str) -> str:
    return f"enterprises/visits/{instance.visit_id}/{instance.sha256[:16]}-{filename[-80:]}"


class VisitPhoto(StoredFile):
    """A photo taken on a visit, usually straight from the cadre's phone camera."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=visit_photo_path, max_length=300)

    zone_lookup = "visit__enterprise__zone"
    role_actions = LIAISON_WORKS

    class Meta(StoredFile.Meta):
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")


class CultivationEntry(ZoneopsModel):
    """An enterprise in the key-enterprise cultivation pool (重点企业培育库) with its target."""

    class Target(models.TextChoices):
        SCALE_UP = "scale_up", _("Scale-up (above scale)")
        TECH_SME = "tech_sme", _("Tech-based SME")
        HNTE = "hnte", _("High and new technology enterprise")
        SRDI = "srdi", _("Specialised, refined, distinctive and innovative (provincial)")
        LITTLE_GIANT = "little_giant", _("Little giant (national SRDI)")
        GAZELLE = "gazelle", _("Gazelle enterprise")
        UNICORN = "unicorn", _("Unicorn enterprise")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Being cultivated")
        ACHIEVED = "achieved", _("Target achieved")
        DROPPED = "dropped", _("Dropped")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="cultivation_entries",
    )
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    target_year = models.PositiveSmallIntegerField(
        _("target year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    entered_on = models.DateField(_("entered on"), default=dt.date.today)
    progress = models.TextField(_("progress notes"), blank=True)

    zone_lookup = "enterprise__zone"
    role_actions = LIAISON_WORKS

    class Meta:
        ordering = ["target_year", "enterprise__name"]
        verbose_name = _("cultivation pool entry")
        verbose_name_plural = _("cultivation pool")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "target", "target_year"], name="cultivation_unique_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.get_target_display()} ({self.target_year})"


class SupportMeasure(ZoneopsModel):
    """One measure of a support plan (一企一策): who does what by when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DOING = "doing", _("In progress")
        DONE = "done", _("Done")

    entry = models.ForeignKey(
        CultivationEntry,
        verbose_name=_("cultivation pool entry"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    measure = models.CharField(_("measure"), max_length=300)
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_measures",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_measures",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    zone_lookup = "entry__enterprise__zone"
    role_actions = LIAISON_WORKS

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")

    def __str__(self) -> str:
        return self.measure[:80]


class IdleRevival(ZoneopsModel):
    """双停企业: an idle enterprise's revival (盘活) plan and where it stands."""

    class Status(models.TextChoices):
        IDLE = "idle", _("Idle")
        REVIVING = "reviving", _("Reviving")
        REVIVED = "revived", _("Revived")
        EXITED = "exited", _("Exited")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="revivals",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IDLE
    )
    cause = models.TextField(_("cause of idleness"), blank=True)
    plan = models.TextField(_("revival plan"), blank=True)
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="idle_revivals",
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    zone_lookup = "enterprise__zone"
    role_actions = LIAISON_WORKS

    class Meta:
        ordering = ["-year", "enterprise__name"]
        verbose_name = _("idle enterprise revival")
        verbose_name_plural = _("idle enterprise revivals")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="revival_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} ({self.year})"


class RevivalGoal(ZoneopsModel):
    """A zone's goal for the year, e.g. 全年要盘活4户双停企业."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="revival_goals"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    target = models.PositiveIntegerField(_("enterprises to revive"))

    class Meta:
        ordering = ["-year", "zone__path"]
        verbose_name = _("revival goal")
        verbose_name_plural = _("revival goals")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="revivalgoal_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}"


class MonthlyFigure(ZoneopsModel):
    """One enterprise's figures for one month as the statistics office reports them.

    Amounts are year-to-date (本年累计) in 万元; 同比 is computed against the same month of the
    previous year. A month the zone has approved cannot be changed.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    main_revenue = models.DecimalField(_("main revenue, ytd (10k yuan)"), default=0, **MONEY)
    output_value = models.DecimalField(
        _("industrial output value, ytd (10k yuan)"), default=0, **MONEY
    )
    tax_paid = models.DecimalField(_("tax paid, ytd (10k yuan)"), default=0, **MONEY)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    rd_expense = models.DecimalField(_("R&D expense, ytd (10k yuan)"), default=0, **MONEY)
    energy_use = models.DecimalField(
        _("energy use, ytd (t standard coal)"), max_digits=14, decimal_places=2, default=0
    )

    zone_lookup = "enterprise__zone"
    role_actions = LIAISON_WORKS

    class Meta:
        ordering = ["-year", "-month", "enterprise__name"]
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "month"], name="figure_unique_month"
            )
        ]
        # Covers the candidate list's reads (all revenues of one month) without the table.
        indexes = [
            models.Index(
                fields=["year", "month", "enterprise", "main_revenue"], name="figure_period_revenue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}-{self.month:02d}"


class MonthApproval(ZoneopsModel):
    """A zone's approval of one month's figures: while approved, the month is locked."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="month_approvals"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    approved = models.BooleanField(_("approved"), default=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reason = models.CharField(_("reason for reopening"), max_length=300, blank=True)

    # 三员分立: approving figures is a decision on data, not the system administrator's.
    role_actions = {
        "admin": READ,
        "staff": frozenset({"view", "add", "change"}),
        "liaison": READ,
        "leader": READ,
    }

    class Meta:
        ordering = ["-year", "-month", "zone__path"]
        verbose_name = _("month approval")
        verbose_name_plural = _("month approvals")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year", "month"], name="monthapproval_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}-{self.month:02d}"


class FigureEditor(EditorLedger):
    """Who entered or changed enterprise figures of a zone's month (the 四眼原则 ledger):
    ``services.approve_month`` refuses the approval of a month to anyone listed for the zone
    or a zone below it."""

    class Meta(EditorLedger.Meta):
        verbose_name = _("figure editor")
        verbose_name_plural = _("figure editors")


class ScaleUpRollup(models.Model):
    """升规入统 candidates of a zone as its latest month's figures judge them
    (``core.registries.rollups``, kind "scale_up"): what the candidate lists read instead of
    joining every enterprise of a province to three months of figures.

    Kept for each zone's latest month with figures, the enterprises within ``KEPT_MARGIN`` of
    their threshold (``services.scale``): a list with a narrower margin filters these rows, a
    wider margin or an older month is worked out from the figures. Every save of a figure or
    an enterprise recomputes its zone; the importers touch the zones they wrote."""

    bumps_data_version = False  # derived rows

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", db_index=False)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="scale_up_rollup", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    industry = models.ForeignKey(
        Industry, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    amount = models.DecimalField(**MONEY)  # the sector's threshold that year
    ytd = models.DecimalField(**MONEY)
    full = models.DecimalField(null=True, **MONEY)  # last December's year to date
    same = models.DecimalField(null=True, **MONEY)  # the same month of last year
    ttm = models.DecimalField(**MONEY)  # the trailing twelve months
    projection_reaches = models.BooleanField()  # at this year's growth the year reaches it
    ratio = models.FloatField()  # ttm / amount: the lists' order

    def __str__(self) -> str:
        return f"{self.zone_id} {self.year}-{self.month:02d} {self.enterprise_id}: {self.ratio:.2f}"

    class Meta:
        constraints = [
            # Covering (PostgreSQL): a zone's list is read from the index alone, where its rows
            # lie together (in the table the province's rebuild wrote them interleaved).
            models.UniqueConstraint(
                fields=["zone", "enterprise"],
                include=[
                    "year",
                    "month",
                    "ratio",
                    "ttm",
                    "amount",
                    "projection_reaches",
                    "industry",
                    "ytd",
                    "full",
                    "same",
                ],
                name="scaleuprollup_key",
            )
        ]
        indexes = [
            # An enterprise's row (a filtered list joins it), and the most advanced of a month
            # (the province's list) without reading every row.
            models.Index(fields=["enterprise", "year", "month"], name="scaleuprollup_enterprise"),
            models.Index(
                "year", "month", models.F("ratio").desc(), "enterprise", name="scaleuprollup_order"
            ),
        ]


class ScaleUpApplication(ZoneopsModel):
    """升规入统 of one enterprise as a process: 培育 → 申报 → the statistics bureau's decision
    → 入统 (with its date) or refused (with the reason). The recorded decision sets the
    enterprise's ``above_scale`` and ``above_scale_since`` (``services.decide_scale_up``)."""

    class State(models.TextChoices):
        CULTIVATING = "cultivating", _("Being cultivated")
        APPLIED = "applied", _("Applied to the statistics bureau")
        ADMITTED = "admitted", _("Admitted to the above-scale register")
        REFUSED = "refused", _("Refused by the statistics bureau")

    OPEN_STATES = ("cultivating", "applied")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="scale_up_applications",
    )
    year = models.PositiveSmallIntegerField(
        _("statistical year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year the enterprise is to enter the register (入统年度)."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.CULTIVATING
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    admitted_on = models.DateField(
        _("in the register since"),
        null=True,
        blank=True,
        help_text=_("The date the bureau entered it in the register (入统日期)."),
    )
    refusal_reason = models.CharField(_("reason for refusal"), max_length=300, blank=True)

    zone_lookup = "enterprise__zone"
    role_actions = STAFF_ONLY

    class Meta:
        ordering = ["-year", "enterprise__name"]
        verbose_name = _("scale-up application")
        verbose_name_plural = _("scale-up applications")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(state__in=("cultivating", "applied")),
                name="scaleup_one_open_per_enterprise",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return self.enterprise.get_absolute_url()


class ScaleUpEvent(models.Model):
    """A typed history row of an enterprise's above-scale status: a step of its 升规入统
    process, or a manual change (with its reason)."""

    class Type(models.TextChoices):
        STARTED = "started", _("Cultivation started")
        APPLIED = "applied", _("Applied to the statistics bureau")
        ADMITTED = "admitted", _("Admitted to the register")
        REFUSED = "refused", _("Refused by the bureau")
        MARKED_ABOVE = "marked_above", _("Marked above scale by hand")
        MARKED_BELOW = "marked_below", _("Marked below scale by hand")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="scale_up_events"
    )
    application = models.ForeignKey(
        ScaleUpApplication,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    type = models.CharField(_("event"), max_length=20, choices=Type.choices)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("above-scale event")
        verbose_name_plural = _("above-scale events")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_type_display()} {self.on}"
