"""Reads with rules for campaigns and task books (used by the pages and the ``reports`` app)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy

from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import workflows as loop
from zoneops.core.models import LoopCase, Zone
from zoneops.tasks.models import Campaign, Goal, Task

HUNDRED = Decimal(100)
OPEN_TASK_RELATED = ("zone", "case", "lead_unit", "responsible_unit", "supervising_unit")


@dataclass
class GoalProgress:
    goal: Goal
    target: Decimal | None
    achieved: Decimal | None
    share: Decimal | None  # % of the target reached
    as_of: str = ""  # for an indicator: the period of the figure


@dataclass
class CampaignSummary:
    campaign: Campaign
    days_left: int  # calendar days to the last day (countdown); negative once over
    working_days_left: int | None
    elapsed: Decimal  # % of the campaign's days gone
    goals: list[GoalProgress] = field(default_factory=list)
    tasks_by_light: dict[str, int] = field(default_factory=dict)
    tasks_total: int = 0
    tasks_done: int = 0  # closed (销号)
    share_done: Decimal | None = None  # % of the tasks closed; None without tasks
    average_progress: Decimal | None = None  # mean of the tasks' reported progress (%)
    state: str = "running"  # "upcoming", "running" or "over"

    @property
    def state_label(self) -> str:
        return str(dict(CAMPAIGN_STATES)[self.state])


CAMPAIGN_STATES = [
    ("upcoming", gettext_lazy("Not started")),
    ("running", gettext_lazy("Under way")),
    ("over", gettext_lazy("Ended")),
]


def campaign_state(campaign: Campaign, today: dt.date) -> str:
    if today < campaign.starts_on:
        return "upcoming"
    return "over" if today > campaign.ends_on else "running"


def share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole * HUNDRED).quantize(Decimal("0.1")) if whole else None


def goal_progress(goal: Goal, today: dt.date) -> GoalProgress:
    """A count's achieved value, or the indicator's latest figure for the campaign's zone."""
    if goal.measure == Goal.Measure.INDICATOR and goal.indicator_id:
        from zoneops.indicators import selectors as indicator_selectors

        day = min(today, goal.campaign.ends_on)
        rows = indicator_selectors.progress(
            goal.campaign.zone, day.year, day.month, indicators=[goal.indicator]
        )
        row = rows[0]
        achieved = row.ytd
        as_of = f"{day.year}-{row.as_of_month:02d}" if row.as_of_month else ""
    else:
        achieved, as_of = goal.achieved, ""
    share = None
    if goal.target_value and achieved is not None:
        share = (achieved / goal.target_value * HUNDRED).quantize(Decimal("0.1"))
    return GoalProgress(goal, goal.target_value, achieved, share, as_of)


def campaign_summary(campaign: Campaign, *, today: dt.date | None = None) -> CampaignSummary:
    today = today or dt.date.today()
    days_left = campaign.days_left(today)
    try:
        working = (
            max(calendar.working_days_between(today, campaign.ends_on), 0) if days_left >= 0 else 0
        )
    except calendar.CalendarRangeError:
        working = None
    gone = min(max((today - campaign.starts_on).days + 1, 0), campaign.days_total())
    elapsed = (Decimal(gone) / campaign.days_total() * HUNDRED).quantize(Decimal("0.1"))
    tasks = list(campaign.tasks.select_related("case"))
    lights = Counter(task.light_at(today) for task in tasks)
    done = sum(1 for task in tasks if not task.case.is_open)
    goals = [
        goal_progress(goal, today)
        for goal in campaign.goals.select_related("indicator", "campaign__zone")
    ]
    return CampaignSummary(
        campaign=campaign,
        days_left=days_left,
        working_days_left=working,
        elapsed=elapsed,
        goals=goals,
        tasks_by_light=dict(lights),
        tasks_total=len(tasks),
        tasks_done=done,
        share_done=share(done, len(tasks)),
        average_progress=(
            (Decimal(sum(t.progress for t in tasks)) / len(tasks)).quantize(Decimal("0.1"))
            if tasks
            else None
        ),
        state=campaign_state(campaign, today),
    )


def tasks_in(zone: Zone):
    """Tasks of a zone and every zone below it."""
    return Task.objects.filter(zone__path__startswith=zone.path)


def tasks_due_or_overdue(zone: Zone, *, today: dt.date | None = None):
    """Open tasks that are yellow (due within 3 working days) or red (overdue), latest first.

    Reads the escalation kept current by ``zoneops tick``; with ``today`` the deadline is
    checked directly (for a pack about a past or future date).
    """
    qs = tasks_in(zone).filter(case__is_open=True).select_related(*OPEN_TASK_RELATED)
    if today is None:
        qs = qs.filter(loop.escalation_q(LoopCase.Escalation.DUE_SOON))
    else:
        soon = calendar.add_working_days(today, 3)
        qs = qs.filter(case__due_date__lte=soon)
    return qs.order_by("case__due_date", "id")


def counts_by_state(zone: Zone) -> dict[str, int]:
    """Tasks of the zone (and below) by loop state, and "overdue" among the open ones."""
    qs = tasks_in(zone)
    counts = Counter(qs.values_list("case__state", flat=True))
    counts["overdue"] = qs.filter(loop.overdue_q()).count()
    return dict(counts)


def closed_between(zone: Zone, start: dt.date, end: dt.date):
    """Tasks closed (销号) in a period: for "what changed since the previous pack"."""
    return tasks_in(zone).filter(
        Q(case__closed_at__date__gte=start) & Q(case__closed_at__date__lte=end)
    )
