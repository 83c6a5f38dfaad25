"""Core's part of the dashboard and the dispatch pack: closed-loop items that are late."""

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCase, LoopCaseRollup
from zoneops.core.registries.panels import (
    MAX_TABLE_ROWS,
    Panel,
    Section,
    Table,
    period_end,
    zone_ids,
)


def _kind_label(kind: str) -> str:
    try:
        return str(loop.get_workflow(kind).label)
    except LookupError:
        return kind


def panels(zones, year, month, user):
    # The roll-up keeps the open cases per kind, due date, pause day and kept level: the
    # overdue filter of the lists (``overdue_q``) applied to a few hundred rows.
    by_kind = [
        {"kind": r["kind"], "total": r["total"] or 0, "late": r["late"] or 0}
        for r in LoopCaseRollup.objects.filter(zone_id__in=zone_ids(zones), is_open=True)
        .values("kind")
        .annotate(total=Sum("n"), late=Sum("n", filter=loop.overdue_q(prefix="")))
        .order_by("kind")
    ]
    # The totals are the sums of the kinds' figures: one pass over the open cases, not two.
    counts = {
        "total": sum(r["total"] for r in by_kind),
        "late": sum(r["late"] for r in by_kind),
    }
    chart = {
        "tooltip": {},
        "legend": {"data": [_("Open"), _("Overdue")]},
        "xAxis": {"type": "category", "data": [_kind_label(r["kind"]) for r in by_kind]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("Open"), "type": "bar", "data": [r["total"] for r in by_kind]},
            {"name": _("Overdue"), "type": "bar", "data": [r["late"] for r in by_kind]},
        ],
    }
    return [
        Panel(
            key="core.loop",
            title=_("Closed-loop items overdue"),
            value=counts["late"],
            unit=_("of {total} open").format(total=counts["total"]),
            url=reverse("core:loopcase_list")
            + f"?is_open=true&escalation={LoopCase.Escalation.OVERDUE}"
            f"&escalation={LoopCase.Escalation.DEPARTMENT_HEAD}&escalation={LoopCase.Escalation.LEADER}",
            status="bad" if counts["late"] else "ok",
            chart=chart if by_kind else None,
            order=80,
        )
    ]


def sections(zone, year, month, user):
    day = period_end(year, month)
    # Late at the end of the period: a case escalated since then but due after it is not
    # late in this pack (it would show a negative number of working days late).
    late_q = loop.overdue_q(today=day, prefix="") & Q(
        zone__path__startswith=zone.path, due_date__lt=day
    )
    # How many from the roll-up; the rows of the table only, the longest overdue first.
    total = LoopCaseRollup.objects.filter(late_q).aggregate(n=Sum("n"))["n"] or 0
    late = (
        LoopCase.objects.filter(late_q)
        .select_related("zone", "department", "handler")
        .order_by("due_date", "id")[:MAX_TABLE_ROWS]
    )
    rows, provisional = [], 0
    for case in late:
        provisional += calendar.is_provisional(day, start=case.opened_on)
        try:
            days_late = max(0, calendar.working_days_between(case.due_date, day))
        except calendar.CalendarRangeError:
            days_late = None
        rows.append(
            [
                case.title,
                _kind_label(case.kind),
                case.zone.name,
                case.department.name if case.department else "",
                str(case.handler) if case.handler else "",
                case.due_date,
                days_late,
                str(LoopCase.Escalation(loop.current_escalation(case, day)).label),
            ]
        )
    paragraphs = [
        _("{count} closed-loop items are past their deadline.").format(count=total)
        if rows
        else _("No closed-loop item is past its deadline.")
    ]
    if provisional:
        paragraphs.append(
            _(
                "Note: for {count} of these items the deadline or the working days late count "
                "a year whose holiday arrangement (国务院办公厅节假日安排通知) is not entered yet "
                "(暂定): the statutory holidays only; they are recomputed once it is entered."
            ).format(count=provisional)
        )
    return [
        Section(
            key="core.overdue",
            title=_("Overdue items (blockers, appeals, hazards, tasks)"),
            order=80,
            paragraphs=paragraphs,
            table=Table(
                [
                    _("Item"),
                    _("Kind"),
                    _("Zone"),
                    _("Department"),
                    _("Handler"),
                    _("Due date"),
                    _("Working days late"),
                    _("Escalation"),
                ],
                rows,
                total=total,
            )
            if rows
            else None,
        )
    ]
