"""The dashboard's panels count every zone of the choice, and only those, in a fixed number of
queries however many zones it covers."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.models import Role
from zoneops.projects.models import Milestone
from zoneops.projects.tests.factories import make_project
from zoneops.reports.registry import collect_panels
from zoneops.tasks import services as task_services

D = dt.date
SHANGHAI_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def figures(zone_tree, users):
    """Projects, appeals and tasks in 高新区 (and its park), 北湖区 and 经开区."""
    park, hitech, econ = zone_tree["park"], zone_tree["hitech"], zone_tree["econ"]
    make_project(park, 1, annual_plan=0, planned_start=D(2025, 3, 1))  # red: not started
    late_milestone = make_project(hitech, 2, annual_plan=0, stage="started")
    Milestone.objects.create(project=late_milestone, name="主体封顶", planned_date=D(2025, 9, 1))
    make_project(zone_tree["beihu"], 3, annual_plan=0, stage="started")  # green
    make_project(econ, 4, annual_plan=0, planned_start=D(2025, 8, 1))  # yellow: not started
    staff, other = users["staff"], users["other_staff"]
    new_appeal(park, staff, on=D(2025, 9, 30))  # the last day of the period counts
    new_appeal(hitech, staff, on=D(2025, 10, 1))  # the next month does not
    new_appeal(park, staff, on=D(2024, 9, 30))  # nor last year
    new_appeal(econ, other, on=D(2025, 1, 1))
    for zone, user, deadline in [
        (park, staff, D(2025, 9, 10)),
        (hitech, staff, D(2025, 12, 31)),
        (econ, other, D(2025, 9, 10)),
    ]:
        task_services.create_task(
            zone=zone,
            title=f"{zone.name}任务",
            deadline=deadline,
            acting_user=user,
            opened_on=D(2025, 8, 1),
        )
    from zoneops.core.loop import services as core_services

    core_services.tick(on=D(2025, 9, 30))


def summary(zones, user) -> dict:
    panels = {p.key: p for p in collect_panels(zones, 2025, 9, user)}
    loop = panels["core.loop"].chart["series"]
    return {
        # green, yellow, red
        "projects": [d["value"] for d in panels["projects.lights"].chart["series"][0]["data"]],
        "appeals": int(re.findall(r"\d+", panels["appeals.on_time"].note)[0]),
        # closed, on time, due soon, overdue
        "tasks": [d["value"] for d in panels["tasks.progress"].chart["series"][0]["data"]],
        "open cases": sum(loop[0]["data"]),
        "overdue cases": sum(loop[1]["data"]),
    }


# Overdue is read as of today: today is the day the fixture's tick ran.
@time_machine.travel(dt.datetime(2025, 9, 30, 10, tzinfo=SHANGHAI_TZ), tick=False)
def test_panels_count_the_zones_chosen(figures, zone_tree, users, make_user):
    hitech = {
        "projects": [0, 1, 1],
        "appeals": 1,
        "tasks": [0, 1, 0, 1],
        "open cases": 5,
        "overdue cases": 2,
    }
    assert summary(zone_tree["hitech"].subtree(), users["staff"]) == hitech
    assert summary(users["staff"].visible_zones(), users["staff"]) == hitech
    assert summary(users["admin"].visible_zones(), users["admin"]) == {
        "projects": [1, 2, 1],
        "appeals": 2,
        "tasks": [0, 1, 0, 2],
        "open cases": 7,
        "overdue cases": 4,
    }
    # two grants in different branches: the zones are an OR of path prefixes
    two = make_user("two_zones", Role.LEADER, [zone_tree["park"], zone_tree["econ"]])
    assert summary(two.visible_zones(), two) == {
        "projects": [0, 1, 1],
        "appeals": 2,
        "tasks": [0, 0, 0, 2],
        "open cases": 5,
        "overdue cases": 4,
    }


def test_panels_take_as_many_queries_for_a_province_as_for_a_park(figures, zone_tree, users):
    def queries(zones) -> int:
        with CaptureQueriesContext(connection) as captured:
            collect_panels(zones, 2025, 9, users["admin"])
        return len(captured)

    assert queries(users["admin"].visible_zones()) == queries(zone_tree["park"].subtree())
