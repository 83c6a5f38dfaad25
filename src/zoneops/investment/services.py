"""Writes with rules for investment attraction: stages, follow-ups, signings, landing."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.access.privacy import mask_phone
from zoneops.core.calendar import workdays as calendar
from zoneops.investment.models import (
    SIGNED_STAGES,
    STAGE_ORDER,
    AnnualTarget,
    Event,
    FollowUp,
    FundsInPlace,
    Lead,
    Signing,
    StageChange,
)
from zoneops.projects.lights import elapsed_share
from zoneops.projects.models import ONE_BILLION_WAN, Project


def today() -> dt.date:
    return timezone.localdate()


def _require(user, action: str, lead: Lead) -> None:
    if user is None:
        return
    if not Lead.objects.restrict(user, action).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("You may not change this investment lead."))


# Phones -----------------------------------------------------------------------------------


def phone_for(user, phone: str) -> str:
    if user is not None and (user.is_superuser or getattr(user, "role", None) in Lead.phone_roles):
        return phone
    return mask_phone(phone)


# Leads and response deadlines ----------------------------------------------------------------


def first_contact_days() -> int:
    return int(getattr(settings, "ZONEOPS_LEAD_FIRST_CONTACT_WORKING_DAYS", 1))


def assessment_days() -> int:
    return int(getattr(settings, "ZONEOPS_LEAD_ASSESSMENT_WORKING_DAYS", 3))


def set_deadlines(lead: Lead) -> None:
    """Response deadlines of a new lead, in working days after it was received."""
    lead.first_contact_due = calendar.add_working_days(lead.received_on, first_contact_days())
    lead.assessment_due = calendar.add_working_days(lead.received_on, assessment_days())


@transaction.atomic
def save_lead(lead: Lead, *, acting_user) -> Lead:
    """Create or update a lead: region grouping and response deadlines follow its data."""
    from zoneops.investment.regions import region_of

    if lead.pk is None:
        if acting_user is not None and not role_may(acting_user, ADD, Lead):
            raise PermissionDenied(_("Your role may not add investment leads."))
        lead.stage_changed_on = lead.received_on
        lead.stage_reached = STAGE_ORDER[lead.stage]
    else:
        _require(acting_user, CHANGE, lead)
    lead.source_region = region_of(lead.source_division)
    set_deadlines(lead)
    creating = lead.pk is None
    lead.save()
    if creating:
        StageChange.objects.create(
            lead=lead, to_stage=lead.stage, changed_on=lead.received_on, actor=acting_user
        )
    return lead


@transaction.atomic
def move_stage(
    lead: Lead,
    stage: str,
    *,
    acting_user,
    on: dt.date | None = None,
    comment: str = "",
    reason: str = "",
) -> StageChange:
    """Move a lead to another stage, dated; 终止 needs a reason, 签约 and later a signing."""
    _require(acting_user, CHANGE, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    on = on or today()
    if stage not in STAGE_ORDER:
        raise ValidationError(_("Unknown stage."))
    if stage == lead.stage:
        raise ValidationError(_("The lead is already at this stage."))
    if on < lead.stage_changed_on:
        raise ValidationError(_("A stage change cannot be dated before the previous one."))
    if on > today():
        raise ValidationError(_("A stage change cannot be dated in the future."))
    reason = (reason or comment or "").strip()
    if stage == Lead.Stage.TERMINATED and not reason:
        raise ValidationError(_("Give the reason for terminating the lead."))
    if stage in SIGNED_STAGES and not lead.signings.exists():
        raise ValidationError(_("Record the signing first (contract amount and date)."))
    if stage == Lead.Stage.STARTED and lead.project_id is None:
        raise ValidationError(_("Land the lead as a project before marking it started."))
    change = StageChange.objects.create(
        lead=lead,
        from_stage=lead.stage,
        to_stage=stage,
        changed_on=on,
        actor=acting_user,
        comment=reason if stage == Lead.Stage.TERMINATED else comment.strip(),
    )
    fields = ["stage", "stage_changed_on", "stage_reached", "updated_at"]
    lead.stage, lead.stage_changed_on = stage, on
    if stage != Lead.Stage.TERMINATED:
        lead.stage_reached = max(lead.stage_reached, STAGE_ORDER[stage])
        if lead.terminated_reason:
            lead.terminated_reason = ""
            fields.append("terminated_reason")
    else:
        lead.terminated_reason = reason
        fields.append("terminated_reason")
    reached_contact = STAGE_ORDER[stage] >= STAGE_ORDER["contact"] and stage != "terminated"
    if reached_contact and lead.first_contact_on is None:
        lead.first_contact_on = on
        fields.append("first_contact_on")
    lead.save(update_fields=fields)
    return change


@transaction.atomic
def log_follow_up(
    lead: Lead, *, text: str, acting_user, kind: str = "contact", date: dt.date | None = None
) -> FollowUp:
    """A follow-up; the first one is the first contact, an assessment meets that deadline."""
    _require(acting_user, CHANGE, lead)
    date = date or today()
    if date > today():
        raise ValidationError(_("A follow-up cannot be dated in the future."))
    if date < lead.received_on:
        raise ValidationError(_("A follow-up cannot be dated before the lead was received."))
    if not (text or "").strip():
        raise ValidationError(_("Write what happened."))
    follow_up = FollowUp.objects.create(
        lead=lead, date=date, kind=kind, text=text.strip(), actor=acting_user
    )
    fields = []
    if lead.first_contact_on is None or date < lead.first_contact_on:
        lead.first_contact_on = date
        fields.append("first_contact_on")
    if kind == FollowUp.Kind.ASSESSMENT and (lead.assessed_on is None or date < lead.assessed_on):
        lead.assessed_on = date
        fields.append("assessed_on")
    if fields:
        lead.save(update_fields=[*fields, "updated_at"])
    return follow_up


# Signings and counting rules -------------------------------------------------------------------


def recount(lead: Lead, pending: Signing | None = None) -> None:
    """Apply the counting rules to a lead's signings, oldest first.

    The first signing counts the project (once, for its event) with its whole amount; a
    capital increase counts only what it adds to the highest total signed before; a repeated
    signing of the same project counts nothing. ``pending`` (about to be saved by the caller)
    takes part and gets its figures set, so that it is written once.
    """
    signings = list(lead.signings.all())
    if pending is not None:
        signings = [s for s in signings if s.pk != pending.pk] + [pending]
    signings.sort(key=lambda s: (s.signed_on, s.pk or float("inf")))
    highest = None
    for signing in signings:
        if highest is None:
            counted, amount = True, signing.amount
            highest = signing.amount
        elif signing.is_capital_increase:
            counted, amount = False, max(signing.amount - highest, Decimal(0))
            highest = max(highest, signing.amount)
        else:
            counted, amount = False, Decimal(0)
        if signing is pending:
            signing.counted, signing.counted_amount = counted, amount
        elif signing.counted != counted or signing.counted_amount != amount:
            signing.counted, signing.counted_amount = counted, amount
            signing.save(update_fields=["counted", "counted_amount", "updated_at"])


@transaction.atomic
def record_signing(
    lead: Lead,
    *,
    signed_on: dt.date,
    amount: Decimal,
    acting_user,
    event: Event | None = None,
    is_capital_increase: bool = False,
    source: str = "",
    instance: Signing | None = None,
) -> Signing:
    """Record (or correct) a signing and recount the lead's signings."""
    _require(acting_user, CHANGE, lead)
    if amount is None or amount <= 0:
        raise ValidationError(_("The contract amount must be more than zero."))
    if signed_on > today():
        raise ValidationError(_("A signing cannot be dated in the future."))
    if (
        event is not None
        and event.zone_id != lead.zone_id
        and not lead.zone.path.startswith(event.zone.path)
    ):
        raise ValidationError(_("The event belongs to another zone."))
    earlier = lead.signings.filter(signed_on__lte=signed_on)
    if instance is not None and instance.pk:
        earlier = earlier.exclude(pk=instance.pk)
    if is_capital_increase:
        previous = max((s.amount for s in earlier), default=None)
        if previous is None:
            raise ValidationError(
                _("A capital increase needs an earlier signing of the same project.")
            )
        if amount <= previous:
            raise ValidationError(
                _(
                    "A capital increase is the project's new total: it must exceed the "
                    "{previous} signed before."
                ).format(previous=previous)
            )
    signing = instance or Signing(lead=lead)
    signing.signed_on, signing.amount, signing.event = signed_on, amount, event
    signing.is_capital_increase = is_capital_increase
    if source:
        signing.source = source
    recount(lead, pending=signing)
    signing.save()
    lead.refresh_from_db(fields=["stage", "stage_changed_on"])
    if lead.stage not in SIGNED_STAGES and lead.stage != Lead.Stage.TERMINATED:
        move_stage(
            lead,
            Lead.Stage.SIGNED,
            acting_user=acting_user,
            on=max(signed_on, lead.stage_changed_on),
        )
        lead.refresh_from_db(fields=["stage", "stage_changed_on", "stage_reached"])
    return signing


@transaction.atomic
def delete_signing(signing: Signing, *, acting_user) -> None:
    lead = signing.lead
    _require(acting_user, CHANGE, lead)
    signing.delete()
    recount(lead)


@dataclass
class EventTally:
    event: Event
    projects: int
    amount: Decimal


def event_tally(events) -> dict[int, EventTally]:
    rows = (
        Signing.objects.filter(event__in=events)
        .values("event_id")
        .annotate(
            projects=Count("pk", filter=Q(counted=True)),
            amount=Sum("counted_amount"),
        )
    )
    found = {row["event_id"]: row for row in rows}
    return {
        event.pk: EventTally(
            event,
            found.get(event.pk, {}).get("projects", 0),
            found.get(event.pk, {}).get("amount") or Decimal(0),
        )
        for event in events
    }


# Funds in place ---------------------------------------------------------------------------------


@transaction.atomic
def record_funds(
    lead: Lead, *, year: int, month: int, amount: Decimal, acting_user, source: str = ""
) -> FundsInPlace:
    _require(acting_user, CHANGE, lead)
    if not 1 <= month <= 12:
        raise ValidationError(_("The month must be between 1 and 12."))
    if amount is None or amount < 0:
        raise ValidationError(_("Funds in place cannot be negative."))
    if (year, month) > (today().year, today().month):
        raise ValidationError(_("Funds cannot be in place in a future month."))
    if not lead.signings.exists():
        raise ValidationError(_("Funds arrive for signed projects: record the signing first."))
    row, created = FundsInPlace.objects.get_or_create(
        lead=lead, year=year, month=month, defaults={"amount": amount, "source": source}
    )
    if not created and row.amount != amount:
        row.amount = amount
        row.save(update_fields=["amount", "updated_at"])
    return row


# Landing ------------------------------------------------------------------------------------------


@dataclass
class Landing:
    lead: Lead
    project: Project
    enterprise: object | None


@transaction.atomic
def land(
    lead: Lead,
    *,
    code: str,
    acting_user,
    on: dt.date | None = None,
    uscc: str = "",
    plan_year: int | None = None,
) -> Landing:
    """Turn a signed lead into a key project (and an enterprise, given its USCC), linked both ways.

    All or nothing: a bad project code or USCC leaves the lead as it was.
    """
    _require(acting_user, CHANGE, lead)
    lead = Lead.objects.select_for_update().select_related("zone").get(pk=lead.pk)
    on = on or today()
    if lead.project_id is not None:
        raise ValidationError(_("This lead has already landed as a project."))
    if lead.stage == Lead.Stage.TERMINATED:
        raise ValidationError(_("A terminated lead cannot land."))
    if not lead.signings.exists():
        raise ValidationError(_("Only a signed lead can land: record the signing first."))
    if acting_user is not None and not role_may(acting_user, ADD, Project):
        raise PermissionDenied(_("Your role may not add projects."))
    code = (code or "").strip()
    if not code:
        raise ValidationError(_("Give the new project a code."))
    if Project.objects.filter(code=code).exists():
        raise ValidationError(_("The project code {code} is taken.").format(code=code))
    total = max((s.amount for s in lead.signings.all()), default=Decimal(0))
    enterprise = find_or_create_enterprise(lead, uscc, acting_user) if uscc else lead.enterprise
    project = Project.objects.create(
        code=code,
        name=lead.name,
        zone=lead.zone,
        owner_name=lead.investor_company,
        enterprise=enterprise,
        industry=lead.industry,
        chain=lead.chain,
        type=Project.Type.NEW,
        stage=Project.Stage.PLANNED,
        total_investment=total or lead.intended_investment or Decimal(0),
        plan_year=plan_year or on.year,
        annual_plan=Decimal(0),
        source=_("landed from investment lead #{id}").format(id=lead.pk),
    )
    lead.project, lead.landed_on, lead.enterprise = project, on, enterprise
    lead.save(update_fields=["project", "landed_on", "enterprise", "updated_at"])
    if STAGE_ORDER[lead.stage] < STAGE_ORDER[Lead.Stage.REGISTERED]:
        move_stage(
            lead,
            Lead.Stage.REGISTERED,
            acting_user=acting_user,
            on=max(on, lead.stage_changed_on),
            comment=_("Landed as project {code}").format(code=code),
        )
        lead.refresh_from_db()
    return Landing(lead, project, enterprise)


def find_or_create_enterprise(lead: Lead, uscc: str, acting_user):
    if not apps.is_installed("zoneops.enterprises"):
        return None
    Enterprise = apps.get_model("enterprises", "Enterprise")
    uscc = uscc.strip().upper()
    existing = Enterprise.objects.filter(uscc=uscc).first()
    if existing is not None:
        if (
            acting_user is not None
            and not acting_user.is_zone_admin
            and not (acting_user.visible_zones().filter(pk=existing.zone_id).exists())
        ):
            raise ValidationError(_("This USCC belongs to an enterprise of another zone."))
        return existing
    enterprise = Enterprise(
        uscc=uscc,
        name=lead.investor_company,
        zone=lead.zone,
        source=_("landed from investment lead #{id}").format(id=lead.pk),
    )
    enterprise.full_clean(exclude=["industry", "chain"])
    enterprise.save()
    return enterprise


# Progress against annual targets ------------------------------------------------------------------


@dataclass
class Progress:
    label: str
    target: Decimal
    actual: Decimal
    rate: Decimal | None
    elapsed: Decimal
    behind: bool


def year_elapsed(year: int, on: dt.date) -> Decimal:
    if year < on.year:
        return Decimal(100)
    if year > on.year:
        return Decimal(0)
    return elapsed_share(on)


def progress(zone, year: int, *, on: dt.date | None = None) -> dict:
    """Actual against the zone's targets for ``year`` and against 序时进度."""
    on = on or today()
    elapsed = year_elapsed(year, on)
    target = AnnualTarget.objects.filter(zone=zone, year=year).first()
    leads = Lead.objects.filter(zone__path__startswith=zone.path)
    landed = leads.filter(landed_on__year=year, signings__isnull=False).distinct().count()
    funds = FundsInPlace.objects.filter(
        lead__zone__path__startswith=zone.path, year=year
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    big = Project.objects.filter(
        zone__path__startswith=zone.path,
        total_investment__gte=ONE_BILLION_WAN,
        actual_start__year=year,
    ).count()
    by_month = dict(
        FundsInPlace.objects.filter(lead__zone__path__startswith=zone.path, year=year)
        .values_list("month")
        .annotate(total=Sum("amount"))
    )
    signed = Signing.objects.filter(
        lead__zone__path__startswith=zone.path, signed_on__year=year
    ).aggregate(projects=Count("pk", filter=Q(counted=True)), amount=Sum("counted_amount"))

    def item(label, goal, actual):
        goal = Decimal(goal or 0)
        actual = Decimal(actual or 0)
        rate = (actual * 100 / goal).quantize(Decimal("0.1")) if goal else None
        return Progress(label, goal, actual, rate, elapsed, rate is not None and rate < elapsed)

    items = [
        item(_("Signed-and-landed projects"), target and target.signed_landed, landed),
        item(_("Funds in place (10k yuan)"), target and target.funds_in_place, funds),
        item(_("Projects of ≥1 billion yuan started"), target and target.big_projects_started, big),
    ]
    cumulative, running = [], Decimal(0)
    for month in range(1, 13):
        running += by_month.get(month, Decimal(0))
        cumulative.append(running)
    return {
        "zone": zone,
        "year": year,
        "target": target,
        "elapsed": elapsed,
        "items": items,
        "signed_projects": signed["projects"] or 0,
        "signed_amount": signed["amount"] or Decimal(0),
        "funds_by_month": [by_month.get(m, Decimal(0)) for m in range(1, 13)],
        "funds_cumulative": cumulative,
    }


def funnel(leads) -> list[dict]:
    """For each stage before 终止: how many leads are there now and how many ever reached it."""
    now = dict(leads.values_list("stage").annotate(n=Count("pk")))
    reached_rows = dict(leads.values_list("stage_reached").annotate(n=Count("pk")))
    rows = []
    for value, label in Lead.Stage.choices:
        if value == Lead.Stage.TERMINATED:
            continue
        order = STAGE_ORDER[value]
        reached = sum(n for level, n in reached_rows.items() if level >= order)
        rows.append(
            {"stage": value, "label": str(label), "now": now.get(value, 0), "reached": reached}
        )
    return rows
