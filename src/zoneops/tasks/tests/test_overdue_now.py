"""Overdue is read from the deadline whenever a page, list, dashboard or pack is read, not
from the level the last ``zoneops tick`` stored: the badge and every count agree."""

import datetime as dt
import zoneinfo

import time_machine

from zoneops.core.loop import reporting as core_reporting
from zoneops.core.models import LoopCase
from zoneops.tasks import reporting as tasks_reporting
from zoneops.tasks import selectors, services

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False
    )


def counts(client, zone, user, day, pack):
    """Every place that counts this zone's overdue items, as of ``day``."""
    return {
        "light": len(client.get("/tasks/", {"light": "red"}).context["rows"]),
        "cases": len(
            client.get("/cases/", {"is_open": "true", "escalation": ["2", "3", "4"]}).context[
                "rows"
            ]
        ),
        "selector": selectors.counts_by_state(zone)["overdue"],
        "dashboard": core_reporting.panels([zone], day.year, day.month, user)[0].value,
        "tasks_panel": tasks_reporting.panels([zone], day.year, day.month, user)[0].value,
        "pack": len(getattr(core_reporting.sections(zone, *pack, user)[0].table, "rows", [])),
    }


def test_a_task_past_its_deadline_is_overdue_everywhere_before_any_tick(
    client_for, users, zone_tree
):
    zone = zone_tree["hitech"]
    with at(dt.date(2025, 11, 10)):
        task = services.create_task(
            zone=zone,
            title="规上工业企业一企一策精准帮扶",
            deadline=dt.date(2025, 12, 15),
            acting_user=users["staff"],
            opened_on=dt.date(2025, 11, 10),
        )
    client = client_for(users["staff"])
    before = dt.date(2025, 12, 12)
    with at(before):
        assert counts(client, zone, users["staff"], before, (2025, 11)) == dict.fromkeys(
            ("light", "cases", "selector", "dashboard", "tasks_panel", "pack"), 0
        )
    # The pack of December counts at the month's end: 31 Dec, well past the 15th.
    after = dt.date(2026, 1, 12)
    with at(after):
        case = LoopCase.objects.get(pk=task.case_id)
        assert case.escalation == LoopCase.Escalation.NORMAL  # no tick has run
        assert case.escalation_now >= LoopCase.Escalation.OVERDUE
        task.refresh_from_db()
        assert task.light == "red"
        assert counts(client, zone, users["staff"], after, (2025, 12)) == dict.fromkeys(
            ("light", "cases", "selector", "dashboard", "tasks_panel", "pack"), 1
        )
        page = client.get(f"/cases/{case.pk}/").content.decode()
        # The case page names the level it has reached by now (no tick has stored it).
        shown = {
            LoopCase.Escalation.OVERDUE: "超期",
            LoopCase.Escalation.DEPARTMENT_HEAD: "已升级至部门负责人",
            LoopCase.Escalation.LEADER: "已升级至包保领导",
        }[case.escalation_now]
        assert shown in page
