"""Appeals' part of the dashboard and the dispatch pack: how the closed loop performs."""

import datetime as dt

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.appeals import reports
from zoneops.appeals.models import Appeal
from zoneops.core.registries.panels import Panel, Section, Table, period_end, zone_ids


def _month(queryset, year: int, month: int):
    """Opened from 1 January to the end of the month (a date range, which an index can serve)."""
    return queryset.filter(
        case__opened_on__gte=dt.date(year, 1, 1), case__opened_on__lte=period_end(year, month)
    )


def panels(zones, year, month, user):
    qs = Appeal.objects.filter(zone_id__in=zone_ids(zones))
    ytd = _month(qs, year, month)
    closed = Q(case__is_open=False) & ~Q(closed_by=Appeal.ClosedBy.DISMISSED)
    figures = ytd.aggregate(
        total=Count("id"),
        closed=Count("id", filter=closed),
        on_time=Count("id", filter=closed & Q(closed_on_time=True)),
        rating=Avg("rating"),
    )
    rate = round(100 * figures["on_time"] / figures["closed"], 1) if figures["closed"] else None
    return [
        Panel(
            key="appeals.on_time",
            title=_("Appeals closed on time (year to date)"),
            value=rate if rate is not None else "—",
            unit="%" if rate is not None else "",
            note=_("{total} appeals, {closed} closed, average satisfaction {rating}").format(
                total=figures["total"],
                closed=figures["closed"],
                rating=round(figures["rating"], 2) if figures["rating"] else "—",
            ),
            url=reverse("appeals:report"),
            status="ok" if rate is None or rate >= 90 else ("warn" if rate >= 75 else "bad"),
            order=60,
        )
    ]


def sections(zone, year, month, user):
    qs = _month(Appeal.objects.filter(zone__path__startswith=zone.path), year, month)
    rows = reports.summary(qs, "category")
    if not rows:
        return []
    day = period_end(year, month)
    return [
        Section(
            key="appeals.summary",
            title=_("Enterprise appeals by category (year to date)"),
            order=60,
            paragraphs=[
                _("Appeals submitted from 1 January to {day}.").format(day=day.isoformat())
            ],
            table=Table(
                headers=[
                    _("Category"),
                    _("Appeals"),
                    _("Closed"),
                    _("On-time closure rate"),
                    _("Average working days to close"),
                    _("Reopen rate"),
                    _("Average satisfaction"),
                ],
                rows=[
                    [
                        r["key"],
                        r["total"],
                        r["closed"],
                        "—" if r["on_time_rate"] is None else f"{r['on_time_rate']}%",
                        "—" if r["avg_days"] is None else r["avg_days"],
                        "—" if r["reopen_rate"] is None else f"{r['reopen_rate']}%",
                        "—" if r["rating"] is None else r["rating"],
                    ]
                    for r in rows
                ],
            ),
        )
    ]
