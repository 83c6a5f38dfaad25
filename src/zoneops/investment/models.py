"""Investment attraction (招商引资): leads, follow-ups, signings, events, funds, targets."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.core.models import ZoneopsModel
from zoneops.investment.regions import REGION_CHOICES, place_name

MONEY = {"max_digits": 16, "decimal_places": 2}


class Lead(ZoneopsModel):
    """One investment lead (招商线索/项目), from first word to landing as a project."""

    class Stage(models.TextChoices):
        LEAD = "lead", _("Lead")
        # With a context: other catalogues read a bare "Contact" as 联系人 (a contact person).
        CONTACT = "contact", pgettext_lazy("lead stage", "Contact")
        VISIT = "visit", _("Site visit")
        NEGOTIATION = "negotiation", _("Negotiation")
        SIGNED = "signed", _("Signed")
        REGISTERED = "registered", _("Company registered")
        STARTED = "started", _("Started")
        TERMINATED = "terminated", _("Terminated")

    class Method(models.TextChoices):
        CHAIN = "chain", _("Industrial-chain attraction")
        RESIDENT = "resident", _("Resident office attraction")
        BUSINESS = "business", _("Attraction through businesses")
        EVENT = "event", _("Attraction through events")
        DOOR = "door", _("Door-knocking attraction")
        PLATFORM = "platform", _("Platform attraction")

    name = models.CharField(_("lead name"), max_length=200)
    zone = models.ForeignKey(
        "core.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="leads"
    )
    investor_company = models.CharField(_("investor company"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    source_division = models.CharField(
        _("source region code"),
        max_length=6,
        blank=True,
        help_text=_(
            "GB/T 2260 code of the investor's province or city, e.g. 440300; 000000 abroad."
        ),
    )
    source_region = models.CharField(
        _("source region"), max_length=20, choices=REGION_CHOICES, blank=True, editable=False
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    chain = models.CharField(_("industrial chain"), max_length=100, blank=True)
    method = models.CharField(_("attraction method"), max_length=20, choices=Method.choices)
    intended_investment = models.DecimalField(
        _("intended investment (10k yuan)"), null=True, blank=True, **MONEY
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_leads",
    )
    stage = models.CharField(
        _("lead stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD, db_index=True
    )
    stage_changed_on = models.DateField(
        _("stage changed on"), default=dt.date.today, editable=False
    )
    stage_reached = models.PositiveSmallIntegerField(
        _("furthest stage reached"), default=0, editable=False
    )
    terminated_reason = models.TextField(_("reason for termination"), blank=True, editable=False)
    received_on = models.DateField(_("received on"), default=dt.date.today)
    first_contact_due = models.DateField(_("first contact due"), editable=False, null=True)
    first_contact_on = models.DateField(
        _("first contact on"), null=True, blank=True, editable=False
    )
    assessment_due = models.DateField(_("assessment due"), editable=False, null=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True, editable=False)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("landed project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead",
        editable=False,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_leads",
    )
    landed_on = models.DateField(_("landed on"), null=True, blank=True, editable=False)

    # Investors' phones: for the staff who call them; others read them masked.
    phone_roles = frozenset({"admin", "staff"})

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("investment lead")
        verbose_name_plural = _("investment leads")
        indexes = [
            models.Index(fields=["zone", "stage"], name="lead_zone_stage"),
            # The lists' order: their first page without sorting every lead.
            models.Index(fields=["received_on", "id"], name="lead_received"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source_place(self) -> str:
        return place_name(self.source_division)

    def response_overdue(self, today: dt.date) -> list[str]:
        """Which response deadlines of a new lead were missed (or are being missed)."""
        missed = []
        if self.first_contact_due and (
            (self.first_contact_on is None and self.first_contact_due < today)
            or (self.first_contact_on and self.first_contact_on > self.first_contact_due)
        ):
            missed.append("first_contact")
        if self.assessment_due and (
            (self.assessed_on is None and self.assessment_due < today)
            or (self.assessed_on and self.assessed_on > self.assessment_due)
        ):
            missed.append("assessment")
        return missed


STAGE_ORDER = {value: index for index, value in enumerate(Lead.Stage.values)}
SIGNED_STAGES = ("signed", "registered", "started")


class StageChange(ZoneopsModel):
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("investment lead"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
    )
    from_stage = models.CharField(
        _("from stage"), max_length=20, choices=Lead.Stage.choices, blank=True
    )
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Lead.Stage.choices)
    changed_on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)

    zone_lookup = "lead__zone"

    class Meta:
        ordering = ["changed_on", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.lead}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"


class FollowUp(ZoneopsModel):
    class Kind(models.TextChoices):
        # A first contact (接洽), worded like the stage of that name.
        CONTACT = "contact", pgettext_lazy("lead stage", "Contact")
        ASSESSMENT = "assessment", _("Assessment")
        VISIT = "visit", _("Visit")
        TALKS = "talks", _("Talks")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(
        Lead, verbose_name=_("investment lead"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("date"), default=dt.date.today)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONTACT)
    text = models.TextField(_("what happened"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    zone_lookup = "lead__zone"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.lead} · {self.date:%Y-%m-%d}"


class Event(ZoneopsModel):
    """An investment promotion conference (招商发布会) or industry forum (产业论坛)."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Investment promotion conference")
        FORUM = "forum", _("Industry forum")
        OTHER = "other", _("Other event")

    name = models.CharField(_("event name"), max_length=200)
    zone = models.ForeignKey(
        "core.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.name


class Signing(ZoneopsModel):
    """A signed contract. Counting: a project counts once, for the event of its first signing;
    a capital increase counts only the increase; a repeated signing counts nothing."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("investment lead"), on_delete=models.CASCADE, related_name="signings"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("signing event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signings",
    )
    signed_on = models.DateField(_("signed on"))
    amount = models.DecimalField(
        _("contract amount (10k yuan)"),
        help_text=_("For a capital increase: the project's total after the increase."),
        **MONEY,
    )
    is_capital_increase = models.BooleanField(_("capital increase"), default=False)
    counted = models.BooleanField(_("counts as a signed project"), default=False, editable=False)
    counted_amount = models.DecimalField(
        _("counted amount (10k yuan)"), default=0, editable=False, **MONEY
    )

    zone_lookup = "lead__zone"

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("signing")
        verbose_name_plural = _("signings")

    def __str__(self) -> str:
        return f"{self.lead} · {self.signed_on:%Y-%m-%d}"


class FundsInPlace(ZoneopsModel):
    """Funds in place (到位资金) of a lead in one month."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("investment lead"), on_delete=models.CASCADE, related_name="funds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    amount = models.DecimalField(_("funds in place (10k yuan)"), **MONEY)

    zone_lookup = "lead__zone"

    class Meta:
        ordering = ["-year", "-month", "id"]
        verbose_name = _("funds in place")
        verbose_name_plural = _("funds in place")
        constraints = [
            models.UniqueConstraint(fields=["lead", "year", "month"], name="funds_unique_month")
        ]
        # The lists' order (newest month first, then as entered) straight from an index.
        indexes = [models.Index(fields=["-year", "-month", "id"], name="funds_period")]

    def __str__(self) -> str:
        return f"{self.lead} · {self.year}-{self.month:02d}"


class AnnualTarget(ZoneopsModel):
    """A zone's investment-attraction targets for a year (年度目标)."""

    zone = models.ForeignKey(
        "core.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    signed_landed = models.PositiveIntegerField(_("signed-and-landed projects"), default=0)
    funds_in_place = models.DecimalField(_("funds in place (10k yuan)"), default=0, **MONEY)
    big_projects_started = models.PositiveIntegerField(
        _("projects of ≥1 billion yuan started"), default=0
    )

    class Meta:
        ordering = ["-year", "zone__path"]
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="annualtarget_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}"
