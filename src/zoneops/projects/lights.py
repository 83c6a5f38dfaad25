"""Traffic lights (红黄绿灯) against 序时进度, computed in the database so lists stay fast.

Rules (thresholds are settings, defaults from published practice):
- not started by the planned start date → yellow; ``START_RED_MONTHS`` months late → red;
- completed investment behind the share of the year elapsed by ``INVEST_YELLOW_POINTS`` to
  ``INVEST_RED_POINTS`` points → yellow, by more than ``INVEST_RED_POINTS`` → red; a plan of
  a past year (after 31 December, until the new year's plan is set) is judged at 100 %;
- a live project without a plan for the current year is in its own state, 本年度计划未下达
  (``plan_missing``), listed for the staff who set plans, whatever its light;
- an overdue milestone → ``MILESTONE_OVERDUE`` (yellow); an overdue open blocker →
  ``BLOCKER_OVERDUE`` (red).
A completed project is green. Every light states its reason in words (``explain``).
"""

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GREEN, YELLOW, RED = 0, 1, 2
LEVELS = {"green": GREEN, "yellow": YELLOW, "red": RED}
LIGHT_CHOICES = [
    (GREEN, gettext_lazy("Green")),
    (YELLOW, gettext_lazy("Yellow")),
    (RED, gettext_lazy("Red")),
]
CSS = {GREEN: "light-green", YELLOW: "light-yellow", RED: "light-red"}


@dataclass(frozen=True)
class Thresholds:
    start_red_months: int = 3
    invest_yellow_points: Decimal = Decimal(10)
    invest_red_points: Decimal = Decimal(30)
    milestone_overdue: int = YELLOW
    blocker_overdue: int = RED


def thresholds() -> Thresholds:
    def level(name, default):
        return LEVELS[str(getattr(settings, name, default)).lower()]

    return Thresholds(
        start_red_months=int(getattr(settings, "ZONEOPS_PROJECT_LIGHT_START_RED_MONTHS", 3)),
        invest_yellow_points=Decimal(
            str(getattr(settings, "ZONEOPS_PROJECT_LIGHT_INVEST_YELLOW_POINTS", 10))
        ),
        invest_red_points=Decimal(
            str(getattr(settings, "ZONEOPS_PROJECT_LIGHT_INVEST_RED_POINTS", 30))
        ),
        milestone_overdue=level("ZONEOPS_PROJECT_LIGHT_MILESTONE_OVERDUE", "yellow"),
        blocker_overdue=level("ZONEOPS_PROJECT_LIGHT_BLOCKER_OVERDUE", "red"),
    )


def elapsed_share(day: dt.date) -> Decimal:
    """序时进度: the share of ``day``'s year that has elapsed by its end, in percent."""
    days = 366 if pycalendar.isleap(day.year) else 365
    return (Decimal(day.timetuple().tm_yday) * 100 / Decimal(days)).quantize(Decimal("0.01"))


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last = pycalendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


NOT_STARTED = ("planned", "preparing")


MONEY = DecimalField(max_digits=24, decimal_places=4)


def _live() -> Q:
    return ~Q(stage="completed")


def annotate_lights(qs, *, today: dt.date | None = None, elapsed: Decimal | None = None):
    """Annotate ``start_level``, ``invest_level``, ``milestone_late``, ``blocker_late`` and
    ``light`` (0 green, 1 yellow, 2 red) on a Project queryset."""
    today = today or timezone.localdate()
    elapsed = elapsed_share(today) if elapsed is None else Decimal(elapsed)
    limits = thresholds()
    qs = qs.annotate(
        start_level=_start_level(today, limits),
        # invest_level compares with it: named once, as SQL repeats an annotation's expression
        done_x100=ExpressionWrapper(F("completed_ytd") * Value(100), output_field=MONEY),
        invest_level=_invest_level(today, elapsed, limits),
        plan_missing=Case(
            When(_live() & ~Q(plan_year__gte=today.year, annual_plan__gt=0), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        **_late_flags(qs.model, today),
    )
    qs = qs.annotate(light=_light(limits))
    return qs.annotate(
        light_today=Value(today),
        light_elapsed=Value(elapsed, output_field=DecimalField(max_digits=6, decimal_places=2)),
        is_lagging=Case(
            When(light__gt=GREEN, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _start_level(today: dt.date, limits: Thresholds) -> Case:
    """A live project not started by its planned start is yellow; ``start_red_months`` late,
    red."""
    not_started = _live() & Q(actual_start__isnull=True, stage__in=NOT_STARTED)
    red_cutoff = months_before(today, limits.start_red_months)
    return Case(
        When(not_started & Q(planned_start__lte=red_cutoff), then=Value(RED)),
        When(not_started & Q(planned_start__lt=today), then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=IntegerField(),
    )


def _invest_level(today: dt.date, elapsed: Decimal, limits: Thresholds) -> Case:
    """Completed investment against 序时进度 (``elapsed`` % of this year's plan; a past year's
    plan, still the project's latest, at 100 %), compared without division: gap ≥ yellow
    points ⇔ completed·100 ≤ plan·(elapsed − yellow); likewise for red (strict)."""
    live = _live()
    planned = Q(plan_year=today.year, annual_plan__gt=0) & live
    past = Q(plan_year__lt=today.year, annual_plan__gt=0) & live

    def bar(share: Decimal, points: Decimal):
        return ExpressionWrapper(F("annual_plan") * Value(share - points), output_field=MONEY)

    full = Decimal(100)
    return Case(
        When(planned & Q(done_x100__lt=bar(elapsed, limits.invest_red_points)), then=Value(RED)),
        When(
            planned & Q(done_x100__lte=bar(elapsed, limits.invest_yellow_points)),
            then=Value(YELLOW),
        ),
        When(past & Q(done_x100__lt=bar(full, limits.invest_red_points)), then=Value(RED)),
        When(past & Q(done_x100__lte=bar(full, limits.invest_yellow_points)), then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=IntegerField(),
    )


def _late_flags(project_model, today: dt.date) -> dict:
    """``milestone_late`` (a milestone past its date, not reached) and ``blocker_late`` (an
    open blocker past its due date, not paused). The milestones and blockers are reached
    through the project model: the models module calls this from
    ``ProjectQuerySet.with_lights``, before this module could import them."""
    Milestone = project_model._meta.get_field("milestones").related_model
    Blocker = project_model._meta.get_field("blockers").related_model
    return {
        "milestone_late": Exists(
            Milestone.objects.filter(
                project=OuterRef("pk"), actual_date__isnull=True, planned_date__lt=today
            )
        ),
        "blocker_late": Exists(
            Blocker.objects.filter(
                project=OuterRef("pk"),
                case__is_open=True,
                case__paused_on__isnull=True,
                case__due_date__lt=today,
            )
        ),
    }


def _light(limits: Thresholds) -> Greatest:
    """The light is the highest level any rule gives (red beats yellow beats green). SQL
    repeats an annotation's whole expression wherever it is used, so each rule's level is
    named once (an annotation) rather than in one condition for red and another for yellow."""
    levels = [F("start_level"), F("invest_level")]
    for flag, level in (
        ("milestone_late", limits.milestone_overdue),
        ("blocker_late", limits.blocker_overdue),
    ):
        if level in (RED, YELLOW):
            levels.append(
                Case(
                    When(Q(**{flag: True}) & _live(), then=Value(level)),
                    default=Value(GREEN),
                    output_field=IntegerField(),
                )
            )
    return Greatest(*levels, output_field=IntegerField())


def _number(value: Decimal) -> str:
    """A percentage as a statistics office writes it: one decimal, none when whole."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _light_day(project) -> dt.date:
    today = getattr(project, "light_today", None) or timezone.localdate()
    return dt.date.fromisoformat(today) if isinstance(today, str) else today


def investment_statement(project) -> str | None:
    """The plan against 序时进度 in words ("完成年度计划 41%，序时进度 75%，落后 34 个百分点"),
    for a project with a plan of this year or a past one; None without one."""
    today = _light_day(project)
    if not project.annual_plan or project.plan_year > today.year:
        return None
    if project.plan_year == today.year:
        elapsed = Decimal(str(getattr(project, "light_elapsed", None) or elapsed_share(today)))
    else:
        elapsed = Decimal(100)
    rate = Decimal(project.completed_ytd) * 100 / Decimal(project.annual_plan)
    rate, elapsed = rate.quantize(Decimal("0.1")), elapsed.quantize(Decimal("0.1"))
    gap = elapsed - rate
    if gap > 0:
        position = _("{points} points behind").format(points=_number(gap))
    elif gap < 0:
        position = _("{points} points ahead").format(points=_number(-gap))
    else:
        position = _("on schedule")
    if project.plan_year == today.year:
        return _("Annual plan {rate}% completed, time elapsed {elapsed}%, {position}").format(
            rate=_number(rate), elapsed=_number(elapsed), position=position
        )
    return _(
        "{year} plan {rate}% completed, its year is over (time elapsed 100%), {position}"
    ).format(year=project.plan_year, rate=_number(rate), position=position)


def reasons(project) -> list[tuple[int, str]]:
    """(level, reason) for every rule that lit on an annotated project."""
    return [(level, text) for level, text in explain(project) if level]


def explain(project) -> list[tuple[int, str]]:
    """(level, statement) of every rule that has something to say on an annotated project,
    green ones included: the light's reason in words."""
    limits = thresholds()
    found = []
    today = _light_day(project)
    if project.stage == "completed":
        return [(GREEN, _("The project is completed"))]
    if getattr(project, "plan_missing", False):
        found.append((GREEN, _("No plan for {year} set yet").format(year=today.year)))
    if project.start_level:
        days = (today - project.planned_start).days
        found.append(
            (
                project.start_level,
                _("Not started: planned start {date}, {days} days late").format(
                    date=project.planned_start.isoformat(), days=days
                ),
            )
        )
    statement = investment_statement(project)
    if statement:
        found.append((project.invest_level, statement))
    if project.milestone_late:
        found.append((limits.milestone_overdue, _("A milestone is overdue")))
    if project.blocker_late:
        found.append((limits.blocker_overdue, _("A blocker is past its deadline")))
    if not found:
        found.append((GREEN, _("Nothing late")))
    return found


class LightBadge:
    """A light for list cells: a coloured badge in HTML, plain words in an export."""

    def __init__(self, project):
        self.level = project.light
        self.plan_missing = getattr(project, "plan_missing", False)
        self.reasons = explain(project)

    @property
    def label(self) -> str:
        return str(dict(LIGHT_CHOICES)[self.level])

    @property
    def css(self) -> str:
        return CSS[self.level]

    def reason_text(self) -> str:
        return "; ".join(text for _level, text in self.reasons)

    def __str__(self) -> str:
        text = self.reason_text()
        return f"{self.label}: {text}" if text else self.label

    def __html__(self) -> str:
        light = format_html(
            '<span class="badge {}" title="{}">{}</span> <small class="text-muted">{}</small>',
            self.css,
            self.reason_text(),
            self.label,
            self.reason_text(),
        )
        if not self.plan_missing:
            return light
        return format_html(
            '<span class="badge text-bg-secondary">{}</span> {}', PLAN_MISSING_LABEL, light
        )


PLAN_MISSING_LABEL = gettext_lazy("No plan for this year")
