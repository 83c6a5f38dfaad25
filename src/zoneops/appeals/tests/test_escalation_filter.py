"""The escalation filter reads the level as of today, as the badge does, not the level the last
``zoneops tick`` stored (issue #18: every count of overdue items agrees with the badge)."""

import datetime as dt
import zoneinfo

import time_machine

from zoneops.appeals.tests.conftest import OPENED, new_appeal
from zoneops.core.models import LoopCase
from zoneops.core.ui.testing import token_client

OVERDUE_LEVELS = ["2", "3", "4"]


def test_an_appeal_past_its_deadline_is_found_as_overdue_before_any_tick(
    zone_tree, users, client_for
):
    appeal = new_appeal(zone_tree["park"], users["staff"])
    later = OPENED + dt.timedelta(days=120)
    moment = dt.datetime(
        later.year, later.month, later.day, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    with time_machine.travel(moment, tick=False):
        assert appeal.case.escalation == LoopCase.Escalation.NORMAL  # no tick has run
        assert appeal.case.escalation_now >= LoopCase.Escalation.OVERDUE
        page = client_for(users["staff"])
        overdue = page.get("/appeals/", {"escalation": OVERDUE_LEVELS}).context["rows"]
        assert [obj.pk for obj, _cells in overdue] == [appeal.pk]
        assert page.get("/appeals/", {"escalation": "0"}).context["rows"] == []
        api = token_client(users["staff"])
        found = api.get("/api/appeals/", {"escalation": OVERDUE_LEVELS}).json()
        assert [row["id"] for row in found["results"]] == [appeal.pk]
        assert api.get("/api/appeals/", {"escalation": "0"}).json()["count"] == 0
    # On the day it was opened it is on time, by the same filter.
    with time_machine.travel(
        dt.datetime(
            OPENED.year, OPENED.month, OPENED.day, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
        ),
        tick=False,
    ):
        rows = client_for(users["staff"]).get("/appeals/", {"escalation": "0"}).context["rows"]
        assert [obj.pk for obj, _cells in rows] == [appeal.pk]
