"""What accepting a statement writes, worked out before anything is written.

``plan(statement)`` says what accepting the statement will create or update, and shows it on
the review page before the reviewer confirms; ``apply(statement, plan, acting_user=...)``
writes it through the indicators and tasks apps' own write paths, inside the review's
transaction:

- a target statement of a catalog indicator with a year → the zone's ``Target`` of that year
  (value in the indicator's unit and/or growth);
- an actual statement of a catalog indicator with a year → the zone's ``IndicatorValue`` of
  that month (a whole-year figure is month 12 ytd; 前三季度 month 9 …), refused in a locked month;
- another count or measure that names a goal of one of the zone's campaigns running in that
  year → the goal (its target for a target statement, achieved so far for an actual one);
- another mapped figure → the reviewed fact only (said on the page);
- an unmapped figure → nothing: it can only be rejected, or corrected to a catalog indicator;
- an estimate (预计…) → nothing as it stands: the page shows what it would write as an actual
  and as a target, and the reviewer corrects its kind to one of them (or rejects it).

Which codes name catalog indicators, and which units convert into which, are data
(``data/catalog.yaml``).
"""

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE
from zoneops.core.models import Zone
from zoneops.indicators import services as indicator_services
from zoneops.indicators.forms import TargetForm
from zoneops.indicators.models import Indicator, IndicatorValue, Target
from zoneops.intake import data
from zoneops.intake.models import Statement
from zoneops.tasks import services as task_services
from zoneops.tasks.forms import GoalForm
from zoneops.tasks.models import Goal

CENT = Decimal("0.01")
BLOCKED = "blocked"
OUT = Statement.Outcome


@cache
def rules() -> dict:
    return data.load("catalog")


def catalog_code(code: str) -> str:
    """The catalog code an intake code stands for (most are the same)."""
    return rules()["aliases"].get(code, code)


def known_codes() -> set[str]:
    """Codes a reviewer may correct a statement to: the catalog's and the reading rules'."""
    return set(data.indicator_labels()) | set(
        Indicator.objects.filter(is_active=True).values_list("code", flat=True)
    )


def catalog_choices() -> list[tuple[str, str]]:
    """(code, name) of the active catalog indicators, for correcting a statement to one."""
    return list(Indicator.objects.filter(is_active=True).values_list("code", "name"))


# Units ---------------------------------------------------------------------------------------


class Incompatible(Exception):
    pass


def _unit_family(unit: str) -> tuple[str, Decimal]:
    """``(family, factor)``: money in 万元, counts one by one, percent, or the unit itself."""
    r = rules()
    unit = (unit or "").strip()
    if unit in r["money"]:
        return "money", Decimal(str(r["money"][unit]))
    if unit in r["percent"]:
        return "percent", Decimal(1)
    if unit in r["counts"]:
        return "count", Decimal(1)
    if len(unit) > 1 and unit[0] in r["prefixes"] and unit[1:] in r["counts"]:
        return "count", Decimal(str(r["prefixes"][unit[0]]))
    return unit, Decimal(1)


def is_relative(unit: str) -> bool:
    return (unit or "").strip() in rules()["relative"]


def convert(value: Decimal, unit: str, to_unit: str) -> Decimal:
    """``value`` in ``unit`` expressed in ``to_unit`` (亿元 → 万元: ×10000); else Incompatible."""
    family, factor = _unit_family(unit)
    to_family, to_factor = _unit_family(to_unit)
    if family != to_family or not family:
        raise Incompatible(unit)
    return (Decimal(value) * factor / to_factor).quantize(CENT, rounding=ROUND_HALF_UP)


def _cents(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value).normalize():f}"
    if "." in text:
        whole, frac = text.split(".")
    else:
        whole, frac = text, ""
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


# Periods -------------------------------------------------------------------------------------

_PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:(?P<part>Q1-Q3|H1|Q1|Q2|Q3|Q4)|-(?P<month>\d{1,2})|-(?P<end>\d{4}))?$"
)
_YTD_MONTH = {"Q1": 3, "H1": 6, "Q1-Q3": 9}


@dataclass(frozen=True)
class Period:
    years: tuple[int, ...] = ()
    year: int | None = None  # a single year
    month: int | None = None  # the ytd month the period ends with, when it says one
    part: str = ""  # a quarter alone (Q2, Q3, Q4): not year to date

    @property
    def is_whole_year(self) -> bool:
        return self.year is not None and self.month is None and not self.part


def parse_period(text: str) -> Period:
    """``"2024"``, ``"2025Q1-Q3"``, ``"2025H1"``, ``"2025-09"`` or a range ``"2021-2025"``."""
    m = _PERIOD.match((text or "").strip())
    if not m:
        return Period()
    year = int(m["year"])
    if m["end"]:
        end = int(m["end"])
        if end == year:
            return Period((year,), year)
        return Period(tuple(range(year, end + 1)) if end > year else ())
    if m["month"]:
        month = int(m["month"])
        return Period((year,), year, month) if 1 <= month <= 12 else Period()
    part = m["part"] or ""
    if part in _YTD_MONTH:
        return Period((year,), year, _YTD_MONTH[part])
    return Period((year,), year, None, part)


# The plan ------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What accepting a statement will do; ``outcome`` is a Statement.Outcome value or BLOCKED."""

    outcome: str
    reason: str = ""
    zone: Zone | None = None
    indicator: object | None = None
    goal: object | None = None
    year: int | None = None
    month: int | None = None
    value: Decimal | None = None
    growth: Decimal | None = None
    unit: str = ""
    existing: object | None = None
    locked: bool = False
    notes: list[str] = field(default_factory=list)
    value_is_target: bool = True  # for a goal: its target (else: what it achieved so far)

    @property
    def blocked(self) -> bool:
        return self.outcome == BLOCKED

    @property
    def can_accept(self) -> bool:
        return not self.blocked and not self.locked

    @property
    def writes(self) -> bool:
        return self.outcome in (OUT.TARGET, OUT.VALUE, OUT.GOAL)

    def new_values(self) -> tuple[Decimal | None, Decimal | None]:
        """The value and growth the record will hold: what is not stated is kept."""
        old = self.existing
        if self.outcome == OUT.TARGET:
            value = self.value if self.value is not None else getattr(old, "value", None)
            growth = self.growth if self.growth is not None else getattr(old, "growth", None)
            return value, growth
        if self.outcome == OUT.VALUE:
            value = self.value if self.value is not None else getattr(old, "value", None)
            growth = self.growth
            if growth is None and old is not None and old.yoy_reported:
                growth = old.yoy
            return value, growth
        return self.value, None

    def old_values(self) -> tuple[Decimal | None, Decimal | None]:
        old = self.existing
        if old is None:
            return None, None
        if self.outcome == OUT.TARGET:
            return old.value, old.growth
        if self.outcome == OUT.VALUE:
            return old.value, old.yoy
        if self.outcome == OUT.GOAL:
            return (old.target_value if self.value_is_target else old.achieved), None
        return None, None

    @property
    def unchanged(self) -> bool:
        if self.existing is None or not self.writes:
            return False
        new, old = self.new_values(), self.old_values()
        same = [
            a == b or (a is not None and b is not None and Decimal(a) == Decimal(b))
            for a, b in zip(new, old, strict=True)
        ]
        return all(same)

    def period_text(self) -> str:
        if self.year is None:
            return "—"
        if self.month is None:
            return str(self.year)
        return f"{self.year}-{self.month:02d}"

    def headline(self) -> str:
        if self.blocked:
            return _("This statement cannot be accepted as it stands: {reason}").format(
                reason=self.reason
            )
        if self.outcome == OUT.FACT:
            return _("Accepting keeps the reviewed fact only: {reason}").format(reason=self.reason)
        if self.locked:
            return _(
                "{zone}'s figures for {period} are approved and locked: accepting is refused "
                "until an administrator reopens the month."
            ).format(zone=self.zone, period=self.period_text())
        if self.unchanged:
            return _("Accepting links this statement to the record; its figures do not change.")
        creates = self.existing is None
        if self.outcome == OUT.TARGET:
            return (
                _("Accepting creates this target.")
                if creates
                else _("Accepting updates this target.")
            )
        if self.outcome == OUT.VALUE:
            return (
                _("Accepting creates this indicator value.")
                if creates
                else _("Accepting updates this indicator value.")
            )
        if self.value_is_target:
            return _("Accepting sets this campaign goal's target.")
        return _("Accepting sets what this campaign goal has achieved so far.")

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) lines for the page: what, where, when, the new and the current figures."""
        if not self.writes:
            return []
        rows = []
        if self.goal is not None:
            rows.append((_("Campaign"), str(self.goal.campaign)))
            rows.append((_("Goal"), str(self.goal)))
        if self.indicator is not None:
            rows.append((_("Indicator"), f"{self.indicator.name} ({self.indicator.code})"))
        rows.append((_("Zone"), f"{self.zone} ({self.zone.code})" if self.zone else "—"))
        if self.outcome != OUT.GOAL:
            rows.append((_("Period"), self.period_text()))
        new_value, new_growth = self.new_values()
        old_value, old_growth = self.old_values()
        unit = self.unit
        if self.outcome == OUT.GOAL:
            label = _("Target") if self.value_is_target else _("Achieved so far")
            rows.append((label, self._change(new_value, old_value, unit)))
            return rows
        rows.append((_("Value"), self._change(new_value, old_value, unit)))
        label = _("Target growth (%)") if self.outcome == OUT.TARGET else _("Growth yoy (%)")
        rows.append((label, self._change(new_growth, old_growth, "")))
        return rows

    def _change(self, new, old, unit: str) -> str:
        text = f"{fmt(new)} {unit}".strip() if new is not None else "—"
        if self.existing is not None and not _same(new, old):
            was = f"{fmt(old)} {unit}".strip() if old is not None else "—"
            text = _("{new} (now {old})").format(new=text, old=was)
        return text


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


def _normalise(text: str) -> str:
    """Words without spaces, quotes or punctuation, for matching goal names."""
    return re.sub(r"[\W_]+", "", text or "")


def resolve_zone(statement) -> Zone | None:
    """The zone a statement is about: the article's, or another zone the subject names."""
    zone = statement.document.zone
    subject = (statement.subject or "").strip()
    if not subject or subject == zone.name:
        return zone
    for names in data.zones()["names"]:
        if subject in names:
            if zone.name in names:
                return zone
            found = list(Zone.objects.filter(name__in=names)[:2])
            return found[0] if len(found) == 1 else None
    found = list(Zone.objects.filter(name=subject)[:2])
    return found[0] if len(found) == 1 else None


def _goal_candidates(statement, zone, years: tuple[int, ...]) -> list:
    """Count goals of the zone's campaigns running in those years whose name the figure names.

    The statement's own words (e.g. 标志性成果) count before the reading rule's keywords (e.g.
    研发平台 for platform_count); within a tier the longest phrase wins.
    """
    if zone is None or not years:
        return []
    goals = Goal.objects.filter(
        campaign__zone=zone,
        measure=Goal.Measure.COUNT,
        campaign__starts_on__lte=dt.date(max(years), 12, 31),
        campaign__ends_on__gte=dt.date(min(years), 1, 1),
    ).select_related("campaign")
    measure = _normalise(statement.measure)
    rule = next((r for r in data.indicators() if r["code"] == statement.indicator), {})
    keywords = [_normalise(k) for k in [*rule.get("keywords", []), rule.get("label", "")]]
    scored = []
    for goal in goals:
        if statement.value is None:
            continue
        try:
            convert(statement.value, statement.unit, goal.unit or statement.unit)
        except Incompatible:
            continue
        name = _normalise(goal.name)
        if len(measure) >= 2 and measure in name:
            scored.append(((2, len(measure)), goal))
            continue
        hits = [len(k) for k in keywords if len(k) >= 2 and k in name]
        if hits:
            scored.append(((1, max(hits)), goal))
    if not scored:
        return []
    best = max(score for score, _goal in scored)
    return [goal for score, goal in scored if score == best]


def plan(statement) -> Plan:
    """What accepting ``statement`` (as it stands, corrections applied) will write."""
    if statement.kind == Statement.Kind.ESTIMATE:
        return _estimate_plan(statement)
    return _plan(statement)


def _estimate_plan(statement) -> Plan:
    """An estimate is never written as an actual or a target by itself: the plan is blocked,
    and its notes say what each choice would write."""
    notes = []
    for kind in (Statement.Kind.ACTUAL, Statement.Kind.TARGET):
        chosen = copy.copy(statement)
        chosen.kind = kind
        notes.append(_("As {kind}: {what}").format(kind=kind.label, what=_plan(chosen).headline))
    return Plan(
        BLOCKED,
        _("the article gives it as an estimate (预计), not as a reported figure nor as a "
          "target. Choose its kind (actual or target) under “Correct, then accept”, or "
          "reject it."),
        notes=notes,
    )  # fmt: skip


def _plan(statement) -> Plan:
    """The plan of an actual or a target: a catalog indicator of a zone decides between a
    target and an indicator value; without one, a campaign goal the figure names, else a fact
    kept for reading only (or blocked, where a person must correct or reject it first)."""
    code = catalog_code(statement.indicator or "")
    indicator = Indicator.objects.filter(code=code, is_active=True).first() if code else None
    zone = resolve_zone(statement)
    period = parse_period(statement.period)
    if statement.value is None and statement.growth_pct is None:
        return Plan(BLOCKED, _("it has neither a value nor a growth rate."))
    if indicator is None:
        return _goal_plan(statement, zone, period)
    if zone is None:
        return Plan(
            OUT.FACT,
            _("it is about “{subject}”, which is not a zone of the platform.").format(
                subject=statement.subject
            ),
            indicator=indicator,
        )
    converted = _value_in_indicator_unit(statement, indicator, zone)
    if isinstance(converted, Plan):
        return converted
    value, notes = converted
    if period.year is None:
        return Plan(
            OUT.FACT,
            _("its period “{period}” is not a single year.").format(period=statement.period or "—"),
            indicator=indicator,
            zone=zone,
        )
    base = {"indicator": indicator, "zone": zone, "year": period.year, "value": value,
            "growth": _cents(statement.growth_pct), "unit": indicator.unit,
            "notes": notes}  # fmt: skip
    if statement.kind == Statement.Kind.TARGET:
        return _target_plan(period, base)
    return _indicator_value_plan(statement, period, base)


def _goal_plan(statement, zone, period) -> Plan:
    """A figure of no catalog indicator: it updates a campaign goal of its zone if exactly one
    goal's name matches it. Several matches, or none, leave it a fact to read, unless nothing
    says what it measures: then a person must say (blocked)."""
    candidates = _goal_candidates(statement, zone, period.years)
    if len(candidates) == 1:
        goal = candidates[0]
        unit = goal.unit or statement.unit
        return Plan(
            OUT.GOAL,
            zone=zone,
            goal=goal,
            year=period.year,
            value=convert(statement.value, statement.unit, unit),
            unit=unit,
            existing=goal,
            value_is_target=statement.kind == Statement.Kind.TARGET,
        )
    what = data.indicator_labels().get(statement.indicator, "")
    if len(candidates) > 1:
        names = "、".join(str(g) for g in candidates)
        reason = _("several campaign goals match ({goals}).").format(goals=names)
        if not (statement.indicator or what):
            return Plan(
                BLOCKED,
                reason + " " + _("Reject it, or correct it to a catalog indicator and accept it."),
            )
        return Plan(OUT.FACT, reason)
    if statement.indicator and (what or statement.indicator in known_codes()):
        return Plan(
            OUT.FACT,
            _("“{what}” is not in the indicator catalog and no campaign goal of the zone "
              "matches it.").format(what=what or statement.indicator),
        )  # fmt: skip
    return Plan(
        BLOCKED,
        _("what it measures (“{what}”) is not in the indicator catalog and matches no "
          "campaign goal. Reject it, or correct it to a catalog indicator and accept it.")
        .format(what=statement.measure or statement.indicator or "?"),
    )  # fmt: skip


def _value_in_indicator_unit(statement, indicator, zone) -> tuple[Decimal | None, list] | Plan:
    """The statement's value in the unit the indicator is kept in, with notes for the reviewer
    (the conversion made, the article's qualifier such as 约 or 超过); or the plan that stops
    here: a difference or multiple is no value (a fact), a unit that does not convert needs a
    correction (blocked). No value (a growth rate alone): (None, [])."""
    notes = []
    if statement.value is None:
        return None, notes
    if is_relative(statement.unit):
        return Plan(
            OUT.FACT,
            _("{unit} states a difference or a multiple, not a value of {indicator}.").format(
                unit=statement.unit, indicator=indicator.name
            ),
            indicator=indicator,
            zone=zone,
        )
    try:
        value = convert(statement.value, statement.unit, indicator.unit)
    except Incompatible:
        return Plan(
            BLOCKED,
            _("its unit “{unit}” does not fit {indicator}, which is kept in {iunit}. "
              "Correct the unit or the indicator, or reject it.").format(
                unit=statement.unit, indicator=indicator.name, iunit=indicator.unit
            ),
            indicator=indicator,
            zone=zone,
        )  # fmt: skip
    if statement.unit != indicator.unit:
        notes.append(
            _("{value} {unit} is {converted} {iunit}.").format(
                value=fmt(statement.value),
                unit=statement.unit,
                converted=fmt(value),
                iunit=indicator.unit,
            )
        )
    if statement.qualifier:
        notes.append(
            _("The article qualifies the figure with “{qualifier}”.").format(
                qualifier=statement.qualifier
            )
        )
    return value, notes


def _target_plan(period, base: dict) -> Plan:
    """A target is annual: the zone's own target (no department's) of the year is created or
    replaced; a target for part of a year is kept as a fact."""
    if not period.is_whole_year:
        return Plan(OUT.FACT, _("a target for part of a year is not an annual target."), **base)
    existing = Target.objects.filter(
        zone=base["zone"], indicator=base["indicator"], year=period.year, department__isnull=True
    ).first()
    return Plan(OUT.TARGET, existing=existing, **base)


def _indicator_value_plan(statement, period, base: dict) -> Plan:
    """An actual is a year-to-date value of a month: the period's month, or for a whole year
    the month the article could report (``_whole_year_month``). A single quarter's figure is
    not year-to-date, so it stays a fact; a locked month is shown as such before accepting."""
    if period.part:
        return Plan(
            OUT.FACT,
            _("a single quarter's figure is not a year-to-date value."),
            **base,
        )
    month = period.month
    if month is None:
        month, note = _whole_year_month(base["indicator"], period.year, statement.document.date)
        if month is None:
            return Plan(OUT.FACT, note, **base)
        if note:
            base["notes"].append(note)
    zone, indicator = base["zone"], base["indicator"]
    existing = IndicatorValue.objects.filter(
        zone=zone, indicator=indicator, year=period.year, month=month
    ).first()
    return Plan(
        OUT.VALUE,
        existing=existing,
        month=month,
        locked=indicator_services.is_locked(zone, period.year, month),
        **base,
    )


def _whole_year_month(indicator, year: int, date: dt.date | None) -> tuple[int | None, str]:
    """The month a figure "for the year" stands for: 12, unless the article was written before
    the year was over (then the last month before the article for a ytd figure, the article's
    month for a stock)."""
    if date is None or date.year != year:
        return 12, ""
    if indicator.is_cumulative:
        month = date.month - 1
        if month < 1:
            return None, _("the article was written in January: no month of the year is over.")
        return month, _(
            "The article is dated {date}, before the year was over: the figure is taken as the "
            "year to date up to {year}-{month:02d}. Correct the period (e.g. {year}-09) if the "
            "article says another month."
        ).format(date=date, year=year, month=month)
    return date.month, _(
        "The article is dated {date}: the figure is taken as the stock at the end of "
        "{year}-{month:02d}."
    ).format(date=date, year=year, month=date.month)


# Writing -------------------------------------------------------------------------------------


def source_of(statement) -> str:
    document = statement.document
    return _("intake statement #{pk}: {title}").format(pk=statement.pk, title=document.title)[:300]


def _form_errors(form) -> ValidationError:
    messages = [str(m) for errors in form.errors.values() for m in errors]
    return ValidationError(" ".join(messages) or _("The record could not be saved."))


def apply(statement, the_plan: Plan, *, acting_user):
    """Write what ``the_plan`` says and link the statement to it (the caller saves it).

    Raises ValidationError or PermissionDenied and writes nothing when it cannot.
    """
    if the_plan.blocked:
        raise ValidationError(the_plan.reason, code="unmapped")
    statement.outcome = the_plan.outcome
    statement.target = statement.indicator_value = statement.goal = None
    if the_plan.outcome == OUT.TARGET:
        statement.target = _save_target(statement, the_plan, acting_user)
    elif the_plan.outcome == OUT.VALUE:
        statement.indicator_value = _save_value(statement, the_plan, acting_user)
    elif the_plan.outcome == OUT.GOAL:
        statement.goal = _save_goal(statement, the_plan, acting_user)
    return statement.written


def _save_target(statement, the_plan: Plan, acting_user):
    """Through the indicators app's target form: its checks (rights, value or growth) apply."""
    existing = the_plan.existing
    indicator_services.check_zone_right(
        acting_user, the_plan.zone, Target, CHANGE if existing is not None else ADD
    )
    value, growth = the_plan.new_values()
    note = existing.note if existing is not None and existing.note else statement.sentence
    form = TargetForm(
        {
            "zone": the_plan.zone.code,
            "indicator": the_plan.indicator.code,
            "year": the_plan.year,
            "department": "",
            "value": "" if value is None else str(value),
            "growth": "" if growth is None else str(growth),
            "note": note[:300],
            "source": source_of(statement),
        },
        instance=existing,
        user=acting_user,
    )
    if not form.is_valid():
        raise _form_errors(form)
    return form.save()


def _save_value(statement, the_plan: Plan, acting_user):
    value, growth = the_plan.new_values()
    return indicator_services.save_value(
        zone=the_plan.zone,
        indicator=the_plan.indicator,
        year=the_plan.year,
        month=the_plan.month,
        value=value,
        yoy=growth,
        source=source_of(statement),
        acting_user=acting_user,
        instance=the_plan.existing,
    )


def _save_goal(statement, the_plan: Plan, acting_user):
    """Achieved so far through ``tasks.services``; the target through the tasks goal form."""

    goal = Goal.objects.select_related("campaign__zone", "indicator").get(pk=the_plan.goal.pk)
    task_services.check_zone_right(acting_user, goal.campaign.zone, Goal, CHANGE)
    if not the_plan.value_is_target:
        return task_services.set_goal_achieved(goal, the_plan.value, acting_user=acting_user)
    form = GoalForm(
        {
            "campaign": goal.campaign_id,
            "name": goal.name,
            "measure": goal.measure,
            "indicator": goal.indicator.code if goal.indicator_id else "",
            "target_value": str(the_plan.value),
            "unit": goal.unit or the_plan.unit,
            "achieved": str(goal.achieved),
            "sort_order": goal.sort_order,
            "source": goal.source,
        },
        instance=goal,
        user=acting_user,
    )
    if not form.is_valid():
        if not form.fields["campaign"].queryset.filter(pk=goal.campaign_id).exists():
            raise PermissionDenied(_("This zone is not one of yours."))
        raise _form_errors(form)
    return form.save()


def outcome_text(statement) -> str:
    """One line for the messages: what accepting wrote."""
    written = statement.written
    if statement.outcome == OUT.TARGET and written is not None:
        return _("Target written: {record}.").format(record=written)
    if statement.outcome == OUT.VALUE and written is not None:
        return _("Indicator value written: {record}.").format(record=written)
    if statement.outcome == OUT.GOAL and written is not None:
        return _("Campaign goal updated: {record}.").format(record=written)
    return _("Kept as a reviewed fact only.")
