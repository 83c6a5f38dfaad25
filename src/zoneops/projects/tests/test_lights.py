"""The traffic-light rules at their boundaries (defaults: the published practice)."""

import datetime as dt
from decimal import Decimal

import pytest

from zoneops.core.loop import services as core_services
from zoneops.projects import services
from zoneops.projects.lights import GREEN, RED, YELLOW, elapsed_share, reasons
from zoneops.projects.models import Milestone, MonthlyInvestment, Project
from zoneops.projects.tests.factories import D, make_project

# 2025-10-19 is day 292 of 365: exactly 80 % of the year has elapsed.
TODAY = D(2025, 10, 19)


def light(project, today=TODAY):
    return Project.objects.with_lights(today=today).get(pk=project.pk)


def set_completed(project, value):
    MonthlyInvestment.objects.create(
        project=project, year=project.plan_year, month=9, completed_ytd=Decimal(value)
    )
    services.refresh_completed([project.pk])


def test_elapsed_share():
    assert elapsed_share(TODAY) == Decimal("80.00")
    assert elapsed_share(D(2025, 12, 31)) == Decimal("100.00")
    assert elapsed_share(D(2024, 12, 31)) == Decimal("100.00")  # leap year: 366 days
    assert elapsed_share(D(2024, 3, 1)) == Decimal("16.67")  # day 61 of 366


@pytest.mark.parametrize(
    ("planned_start", "expected"),
    [
        (D(2025, 10, 19), GREEN),  # may still start today
        (D(2025, 10, 18), YELLOW),  # one day late
        (D(2025, 7, 20), YELLOW),  # three months less a day
        (D(2025, 7, 19), RED),  # three months late
        (D(2025, 1, 1), RED),
    ],
)
@pytest.mark.django_db
def test_not_started_by_planned_start(zone_tree, planned_start, expected):
    project = make_project(zone_tree["park"], annual_plan=0, planned_start=planned_start)
    annotated = light(project)
    assert annotated.start_level == expected
    assert annotated.light == expected


@pytest.mark.django_db
def test_started_or_completed_projects_are_not_late_to_start(zone_tree):
    started = make_project(
        zone_tree["park"],
        1,
        annual_plan=0,
        planned_start=D(2025, 1, 1),
        actual_start=D(2025, 5, 1),
        stage="started",
    )
    done = make_project(
        zone_tree["park"], 2, annual_plan=0, planned_start=D(2025, 1, 1), stage="completed"
    )
    assert light(started).light == GREEN
    assert light(done).light == GREEN


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        ("800", GREEN),  # on the time-elapsed share
        ("700.01", GREEN),  # 9.999 points behind
        ("700", YELLOW),  # exactly 10 points behind
        ("500", YELLOW),  # exactly 30 points behind
        ("499.99", RED),  # more than 30 behind
        ("0", RED),
    ],
)
@pytest.mark.django_db
def test_investment_behind_the_time_elapsed_share(zone_tree, completed, expected):
    project = make_project(
        zone_tree["park"],
        annual_plan=Decimal("1000"),
        actual_start=D(2025, 3, 1),
        stage="started",
    )
    set_completed(project, completed)
    annotated = light(project)
    assert annotated.invest_level == expected
    assert annotated.light == expected


@pytest.mark.django_db
def test_without_this_years_plan_the_project_says_so(zone_tree):
    last_year = make_project(zone_tree["park"], 1, plan_year=2024, stage="started")
    no_plan = make_project(zone_tree["park"], 2, annual_plan=0, stage="started")
    planned = make_project(zone_tree["park"], 3, stage="started")
    set_completed(planned, "800")
    assert light(no_plan).light == GREEN and light(no_plan).plan_missing
    # Last year's plan, never completed, is judged at 100 % of its year: red.
    assert light(last_year).light == RED and light(last_year).plan_missing
    assert not light(planned).plan_missing


@pytest.mark.django_db
def test_investment_reason_gives_the_figures(zone_tree):
    project = make_project(zone_tree["park"], stage="started", actual_start=D(2025, 3, 1))
    set_completed(project, "450")
    ((level, text),) = reasons(light(project))
    assert level == RED
    assert "45%" in text and "80%" in text and "35 " in text


@pytest.mark.django_db
def test_overdue_milestone_is_yellow(zone_tree):
    project = make_project(zone_tree["park"], annual_plan=0, stage="started")
    milestone = Milestone.objects.create(project=project, name="主体封顶", planned_date=TODAY)
    assert light(project).light == GREEN  # due today is not overdue
    milestone.planned_date = TODAY - dt.timedelta(days=1)
    milestone.save()
    annotated = light(project)
    assert annotated.light == YELLOW
    assert [lvl for lvl, _t in reasons(annotated)] == [YELLOW]
    milestone.actual_date = TODAY - dt.timedelta(days=1)
    milestone.save()
    assert light(project).light == GREEN


@pytest.mark.django_db
def test_overdue_blocker_is_red_until_closed(zone_tree, users):
    project = make_project(zone_tree["park"], annual_plan=0, stage="started")
    blocker = services.raise_blocker(
        project,
        kind="power",
        description="电力增容未批复",
        acting_user=users["staff"],
        opened_on=D(2025, 9, 26),
        limit_working_days=5,
    )
    due = blocker.case.due_date  # 5 working days after Fri 2025-09-26, Sun 9-28 a workday
    assert due == D(2025, 10, 10)
    assert light(project, today=due).light == GREEN
    assert light(project, today=due + dt.timedelta(days=1)).light == RED
    staff = users["staff"]
    steps = [
        ("assign", {"department": _department(zone_tree), "handler": users["liaison"]}),
        ("start", {}),
        ("resolve", {"comment": "已协调供电公司"}),
    ]
    for name, extra in steps:
        core_services.do_transition(blocker.case, name, acting_user=staff, on=due, **extra)
    assert light(project, today=due + dt.timedelta(days=1)).light == RED  # resolved, not closed
    core_services.do_transition(blocker.case, "close", acting_user=staff, on=due)
    assert light(project, today=due + dt.timedelta(days=1)).light == GREEN


def _department(zone_tree):
    from zoneops.core.models import Department

    return Department.objects.get_or_create(zone=zone_tree["hitech"], name="经济发展局")[0]


@pytest.mark.django_db
def test_thresholds_are_settings(zone_tree, settings):
    settings.ZONEOPS_PROJECT_LIGHT_INVEST_YELLOW_POINTS = 5
    settings.ZONEOPS_PROJECT_LIGHT_MILESTONE_OVERDUE = "red"
    settings.ZONEOPS_PROJECT_LIGHT_START_RED_MONTHS = 1
    project = make_project(zone_tree["park"], stage="started", actual_start=D(2025, 3, 1))
    set_completed(project, "740")  # 6 points behind
    assert light(project).light == YELLOW
    other = make_project(zone_tree["park"], 2, annual_plan=0, planned_start=D(2025, 9, 19))
    assert light(other).light == RED  # one month late is red now
    third = make_project(zone_tree["park"], 3, annual_plan=0, stage="started")
    Milestone.objects.create(project=third, name="设备进场", planned_date=D(2025, 10, 1))
    assert light(third).light == RED


@pytest.mark.django_db
def test_worst_rule_wins_and_every_reason_is_listed(zone_tree):
    project = make_project(zone_tree["park"], planned_start=D(2025, 10, 1))
    Milestone.objects.create(project=project, name="土地摘牌", planned_date=D(2025, 9, 1))
    annotated = light(project)
    assert annotated.light == RED  # no investment at all: more than 30 points behind
    assert sorted(level for level, _text in reasons(annotated)) == [YELLOW, YELLOW, RED]
