"""Traffic lights (红黄绿灯) against 序时进度, computed in the database so lists stay fast.

Rules (thresholds are settings, defaults from published practice):
- not started by the planned start date → yellow; ``START_RED_MONTHS`` months late → red;
- completed investment behind the share of the year elapsed by ``INVEST_YELLOW_POINTS`` to
  ``INVEST_RED_POINTS`` points → yellow, by more than ``INVEST_RED_POINTS`` → red;
- an overdue milestone → ``MILESTONE_OVERDUE`` (yellow); an overdue open blocker →
  ``BLOCKER_OVERDUE`` (red).
A completed project is green. Every light carries its reasons.
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


def annotate_lights(qs, *, today: dt.date | None = None, elapsed: Decimal | None = None):
    """Annotate ``start_level``, ``invest_level``, ``milestone_late``, ``blocker_late`` and
    ``light`` (0 green, 1 yellow, 2 red) on a Project queryset."""
    from zoneops.projects.models import Blocker, Milestone

    today = today or timezone.localdate()
    elapsed = elapsed_share(today) if elapsed is None else Decimal(elapsed)
    limits = thresholds()
    red_cutoff = months_before(today, limits.start_red_months)
    money = DecimalField(max_digits=24, decimal_places=4)
    live = ~Q(stage="completed")
    not_started = live & Q(actual_start__isnull=True, stage__in=NOT_STARTED)
    planned = Q(plan_year=today.year, annual_plan__gt=0) & live
    done_x100 = ExpressionWrapper(F("completed_ytd") * Value(100), output_field=money)
    # gap ≥ yellow points ⇔ completed·100 ≤ plan·(elapsed − yellow); likewise for red (strict).
    yellow_bar = ExpressionWrapper(
        F("annual_plan") * Value(elapsed - limits.invest_yellow_points), output_field=money
    )
    red_bar = ExpressionWrapper(
        F("annual_plan") * Value(elapsed - limits.invest_red_points), output_field=money
    )
    qs = qs.annotate(
        start_level=Case(
            When(not_started & Q(planned_start__lte=red_cutoff), then=Value(RED)),
            When(not_started & Q(planned_start__lt=today), then=Value(YELLOW)),
            default=Value(GREEN),
            output_field=IntegerField(),
        ),
        done_x100=done_x100,
        invest_level=Case(
            When(planned & Q(done_x100__lt=red_bar), then=Value(RED)),
            When(planned & Q(done_x100__lte=yellow_bar), then=Value(YELLOW)),
            default=Value(GREEN),
            output_field=IntegerField(),
        ),
        milestone_late=Exists(
            Milestone.objects.filter(
                project=OuterRef("pk"), actual_date__isnull=True, planned_date__lt=today
            )
        ),
        blocker_late=Exists(
            Blocker.objects.filter(
                project=OuterRef("pk"),
                case__is_open=True,
                case__paused_on__isnull=True,
                case__due_date__lt=today,
            )
        ),
    )
    # The light is the highest level any rule gives (red beats yellow beats green). SQL
    # repeats an annotation's whole expression wherever it is used, so each rule's level is
    # named once here rather than in one condition for red and another for yellow.
    levels = [F("start_level"), F("invest_level")]
    for flag, level in (
        ("milestone_late", limits.milestone_overdue),
        ("blocker_late", limits.blocker_overdue),
    ):
        if level in (RED, YELLOW):
            levels.append(
                Case(
                    When(Q(**{flag: True}) & live, then=Value(level)),
                    default=Value(GREEN),
                    output_field=IntegerField(),
                )
            )
    qs = qs.annotate(light=Greatest(*levels, output_field=IntegerField()))
    return qs.annotate(
        light_today=Value(today),
        light_elapsed=Value(elapsed, output_field=DecimalField(max_digits=6, decimal_places=2)),
        is_lagging=Case(
            When(light__gt=GREEN, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def reasons(project) -> list[tuple[int, str]]:
    """(level, reason) for every rule that lit on an annotated project."""
    limits = thresholds()
    found = []
    today = getattr(project, "light_today", None) or timezone.localdate()
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
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
    if project.invest_level:
        elapsed = Decimal(str(project.light_elapsed))
        rate = project.completed_ytd * 100 / project.annual_plan
        found.append(
            (
                project.invest_level,
                _(
                    "Investment {rate}% of the annual plan, {gap} points behind "
                    "the time-elapsed share {elapsed}%"
                ).format(rate=f"{rate:.1f}", gap=f"{elapsed - rate:.1f}", elapsed=f"{elapsed:.1f}"),
            )
        )
    if project.milestone_late and project.stage != "completed":
        found.append((limits.milestone_overdue, _("A milestone is overdue")))
    if project.blocker_late and project.stage != "completed":
        found.append((limits.blocker_overdue, _("A blocker is past its deadline")))
    return [(level, text) for level, text in found if level]


class LightBadge:
    """A light for list cells: a coloured badge in HTML, plain words in an export."""

    def __init__(self, project):
        self.level = project.light
        self.reasons = reasons(project)

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
        return format_html(
            '<span class="badge {}" title="{}">{}</span> <small class="text-muted">{}</small>',
            self.css,
            self.reason_text(),
            self.label,
            self.reason_text(),
        )
