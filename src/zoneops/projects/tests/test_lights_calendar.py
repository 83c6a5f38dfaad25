"""Lights against the calendar, with the clock frozen: 序时进度 of the current year, a past
year's plan judged at 100 % after 31 December until the new plan is set, the 本年度计划未下达
state and its list, and every light's reason in words."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from zoneops.projects import services
from zoneops.projects.lights import GREEN, RED, YELLOW, LightBadge, explain
from zoneops.projects.models import MonthlyInvestment, Project
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def frozen(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


def completed(project, year, value, month=12):
    MonthlyInvestment.objects.create(
        project=project, year=year, month=month, completed_ytd=Decimal(value)
    )
    services.refresh_completed([project.pk])


def lit(project):
    return Project.objects.with_lights().get(pk=project.pk)


# 2025-10-19 is day 292 of 365: exactly 80 % of the year has elapsed.
@pytest.mark.parametrize(
    ("done", "expected"),
    [("700.01", GREEN), ("700", YELLOW), ("500", YELLOW), ("499.99", RED)],
)
def test_this_years_plan_against_the_frozen_clock(zone_tree, done, expected):
    with frozen(dt.date(2025, 10, 19)):
        project = make_project(zone_tree["park"], plan_year=2025, stage="started")
        completed(project, 2025, done, month=9)
        annotated = lit(project)
        assert annotated.invest_level == expected and not annotated.plan_missing


@pytest.mark.parametrize(
    ("done", "expected"),
    [("900.01", GREEN), ("900", YELLOW), ("700", YELLOW), ("699.99", RED)],
)
def test_after_31_december_last_years_plan_is_judged_at_100(zone_tree, done, expected):
    with frozen(dt.date(2025, 10, 19)):
        project = make_project(zone_tree["park"], plan_year=2025, stage="started")
        completed(project, 2025, done)
    with frozen(dt.date(2026, 1, 5)):
        annotated = lit(project)
        assert annotated.invest_level == expected and annotated.light == expected
        assert annotated.plan_missing
        with override("zh-hans"):
            (statement,) = [t for _l, t in explain(annotated) if "序时进度" in t]
        assert "2025" in statement and "序时进度 100%" in statement


def test_setting_the_new_years_plan_ends_the_old_judgement(zone_tree):
    with frozen(dt.date(2025, 12, 20)):
        project = make_project(zone_tree["park"], plan_year=2025, stage="started")
        completed(project, 2025, "100")
    with frozen(dt.date(2026, 1, 5)):
        assert lit(project).light == RED and lit(project).plan_missing
        services.set_annual_plan(project, 2026, Decimal("2000"), acting_user=None)
        project.refresh_from_db()
        assert (project.plan_year, project.annual_plan, project.completed_ytd) == (
            2026,
            Decimal("2000"),
            Decimal("0"),
        )
        annotated = lit(project)
        # 5 January: 1.4 % of the year elapsed, nothing done yet: 1.4 points behind is green.
        assert annotated.light == GREEN and not annotated.plan_missing
        with override("zh-hans"):
            texts = [t for _l, t in explain(annotated)]
        assert texts == ["完成年度计划 0%，序时进度 1.4%，落后 1.4 个百分点"]


def test_each_light_states_its_reason_in_words(zone_tree):
    with frozen(dt.date(2025, 10, 19)):
        behind = make_project(zone_tree["park"], 1, plan_year=2025, stage="started")
        completed(behind, 2025, "410", month=9)
        ahead = make_project(zone_tree["park"], 2, plan_year=2025, stage="started")
        completed(ahead, 2025, "850", month=9)
        done = make_project(zone_tree["park"], 3, plan_year=2025, stage="completed")
        with override("zh-hans"):
            assert [t for _l, t in explain(lit(behind))] == [
                "完成年度计划 41%，序时进度 80%，落后 39 个百分点"
            ]
            assert explain(lit(ahead)) == [
                (GREEN, "完成年度计划 85%，序时进度 80%，超前 5 个百分点")
            ]
            assert [t for _l, t in explain(lit(done))] == ["项目已竣工"]
            badge = LightBadge(lit(behind))
            assert str(badge) == "红灯: 完成年度计划 41%，序时进度 80%，落后 39 个百分点"


def test_the_thresholds_stay_settings_after_new_year(zone_tree, settings):
    settings.ZONEOPS_PROJECT_LIGHT_INVEST_YELLOW_POINTS = 5
    settings.ZONEOPS_PROJECT_LIGHT_INVEST_RED_POINTS = 20
    with frozen(dt.date(2025, 6, 1)):
        project = make_project(zone_tree["park"], plan_year=2025, stage="started")
        completed(project, 2025, "950")
    with frozen(dt.date(2026, 2, 1)):
        assert lit(project).light == YELLOW  # exactly 5 points behind 100 %
        settings.ZONEOPS_PROJECT_LIGHT_INVEST_YELLOW_POINTS = 6
        assert lit(project).light == GREEN


def test_the_list_of_projects_without_this_years_plan(
    zone_tree, users, client_for, django_assert_max_num_queries
):
    with frozen(dt.date(2026, 3, 2)):
        missing = [
            make_project(zone_tree["park"], i, plan_year=2025, stage="started") for i in range(3)
        ]
        make_project(zone_tree["park"], 10, plan_year=2026, stage="started")
        make_project(zone_tree["park"], 11, plan_year=2025, stage="completed")
        make_project(zone_tree["park"], 12, plan_year=2026, annual_plan=0)
        make_project(zone_tree["econ"], 13, plan_year=2025)  # another zone's
        client = client_for(users["staff"])
        with django_assert_max_num_queries(12):
            response = client.get("/projects/without-plan/")
        page = response.content.decode()
        assert response.status_code == 200
        shown = {p.code for p in Project.objects.all() if f">{p.code}<" in page}
        assert shown == {p.code for p in missing} | {"P-12"}
        assert "本年度计划未下达" in page
        for index in range(20, 30):
            make_project(zone_tree["park"], index, plan_year=2025, stage="started")
        with django_assert_max_num_queries(12):
            assert client.get("/projects/without-plan/").status_code == 200
        api = client.get("/api/projects/", {"plan_missing": "true"}).json()
        assert api["count"] == 14 and all(r["plan_missing"] for r in api["results"])
        assert timezone.localdate() == dt.date(2026, 3, 2)
