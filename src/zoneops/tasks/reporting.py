"""Task books on the dashboard and in the dispatch pack: what is due or overdue."""

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCaseRollup
from zoneops.core.models import LoopCase
from zoneops.core.registries.panels import (
    MAX_TABLE_ROWS,
    Panel,
    Section,
    Table,
    period_end,
    zone_ids,
)
from zoneops.tasks import selectors
from zoneops.tasks.workflow import KIND


def panels(zones, year, month, user):
    # Read from the closed loop's roll-up with the lists' own filters (``overdue_q``), worked
    # out once (each works out the latest due date of every kind on the calendar).
    overdue = loop.overdue_q(prefix="")
    counts = {
        key: value or 0
        for key, value in LoopCaseRollup.objects.filter(zone_id__in=zone_ids(zones), kind=KIND)
        .aggregate(
            total=Sum("n"),
            still_open=Sum("n", filter=Q(is_open=True)),
            late=Sum("n", filter=overdue),
            soon=Sum(
                "n",
                filter=loop.escalation_q(LoopCase.Escalation.DUE_SOON, prefix="") & ~overdue,
            ),
        )
        .items()
    }
    total, still_open = counts["total"], counts["still_open"]
    if not total:
        return []
    late, soon = counts["late"], counts["soon"]
    return [
        Panel(
            key="tasks.progress",
            title=_("Task books"),
            value=late,
            unit=_("overdue of {open} open ({total} in all)").format(open=still_open, total=total),
            note=_("{soon} due within 3 working days").format(soon=soon),
            url=reverse("tasks:task_list"),
            status="bad" if late else ("warn" if soon else "ok"),
            chart={
                "tooltip": {"trigger": "item"},
                "series": [
                    {
                        "type": "pie",
                        "radius": ["40%", "70%"],
                        "data": [
                            {"name": _("Closed"), "value": total - still_open},
                            {"name": _("On time"), "value": still_open - late - soon},
                            {"name": _("Due soon"), "value": soon},
                            {"name": _("Overdue"), "value": late},
                        ],
                    }
                ],
            },
            order=60,
        )
    ]


def sections(zone, year, month, user):
    due_or_late = selectors.tasks_due_or_overdue(zone, today=period_end(year, month))
    total = due_or_late.count()
    due = due_or_late[:MAX_TABLE_ROWS] if total else []
    rows = [
        [
            task.title,
            task.zone.name,
            task.lead_unit.name if task.lead_unit else "",
            task.responsible_unit.name if task.responsible_unit else "",
            task.case.due_date,
            task.case.get_escalation_now_display(),
        ]
        for task in due
    ]
    return [
        Section(
            key="tasks.due",
            title=_("Tasks due or overdue"),
            order=60,
            paragraphs=[
                _("{count} tasks are due within 3 working days or overdue.").format(count=total)
                if rows
                else _("No task is due within 3 working days or overdue.")
            ],
            table=Table(
                [
                    _("Task"),
                    _("Zone"),
                    _("Lead unit"),
                    _("Responsible unit"),
                    _("Deadline"),
                    _("Status"),
                ],
                rows,
                total=total,
            )
            if rows
            else None,
        )
    ]
