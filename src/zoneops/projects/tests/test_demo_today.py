"""The demo lives today: seeded on any day, every live project has this year's plan and the
monthly figures of every finished month (last year complete), its light comes from all rules
with its reason; seeding again changes nothing, and seeding on a later day rolls it forward."""

import datetime as dt
from collections import Counter

import pytest
import time_machine

from zoneops.core.ops.demo import seed_zones
from zoneops.projects import demo
from zoneops.projects.lights import GREEN, RED, YELLOW, explain
from zoneops.projects.models import AnnualPlan, Milestone, MonthlyInvestment, Project

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ), tick=False)


def state():
    return (
        MonthlyInvestment.objects.count(),
        AnnualPlan.objects.count(),
        Milestone.objects.filter(actual_date__isnull=False).count(),
        list(
            Project.objects.order_by("pk").values_list("plan_year", "annual_plan", "completed_ytd")
        ),
    )


def check_current(day: dt.date) -> Counter:
    last = dt.date(day.year, day.month, 1) - dt.timedelta(days=1)
    live = Project.objects.exclude(stage="completed").with_lights()
    assert live.count() == 148
    lights = Counter()
    for project in live:
        assert project.plan_year == day.year and project.annual_plan > 0
        assert not project.plan_missing
        months = set(MonthlyInvestment.objects.filter(project=project).values_list("year", "month"))
        if project.actual_start is not None:
            assert (day.year - 1, 12) in months  # last year complete
            assert max(months) == (last.year, last.month)  # up to last month, not beyond
            assert len([m for y, m in months if y == day.year - 1]) == 12
        statements = explain(project)
        assert statements, project.code
        if project.light:
            assert any(level == project.light for level, _t in statements), project.code
        lights[project.light] += 1
    assert lights[GREEN] > lights[YELLOW] > lights[RED] > 0
    assert lights[GREEN] > 148 / 2
    return lights


@pytest.mark.parametrize("day", [dt.date(2026, 3, 16), dt.date(2027, 8, 2), dt.date(2031, 1, 10)])
def test_a_demo_seeded_on_any_day_is_current(day):
    with at(day):
        seed_zones()
        demo.seed()
        check_current(day)
        before = state()
        demo.seed()
        assert state() == before  # seeding again changes nothing


def test_seeding_on_a_later_day_rolls_the_demo_forward():
    with at(dt.date(2026, 3, 16)):
        seed_zones()
        demo.seed()
    with at(dt.date(2027, 5, 4)):
        demo.seed()
        check_current(dt.date(2027, 5, 4))
        # Months already there kept their values: a roll adds, it does not rewrite.
        assert MonthlyInvestment.objects.filter(year=2026, month=1).count() > 100
