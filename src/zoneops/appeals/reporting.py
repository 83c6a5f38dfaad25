"""Appeals' part of the dashboard and the dispatch pack: how the closed loop performs."""

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.appeals.models import AppealRollup, Category
from zoneops.core.registries.panels import Panel, Section, Table, period_end, zone_ids


def _ytd(rows, year: int, month: int):
    """Submitted from 1 January to the end of the month: the roll-up's months 1 … ``month``."""
    return rows.filter(year=year, month__lte=month)


def panels(zones, year, month, user):
    rows = _ytd(AppealRollup.objects.filter(zone_id__in=zone_ids(zones)), year, month)
    figures = {
        key: value or 0
        for key, value in rows.aggregate(
            total=Sum("total"),
            closed=Sum("closed"),
            on_time=Sum("on_time"),
            rating_sum=Sum("rating_sum"),
            rated=Sum("rated"),
        ).items()
    }
    figures["rating"] = figures["rating_sum"] / figures["rated"] if figures["rated"] else None
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


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def summary_by_category(zone, year: int, month: int) -> list[dict]:
    """``appeals.reports.summary(…, "category")``'s figures for the zone's year to date, read
    from the roll-up."""
    labels = dict(Category.choices)
    found = (
        _ytd(AppealRollup.objects.filter(zone__path__startswith=zone.path), year, month)
        .values("category")
        .annotate(
            total=Sum("total"),
            closed=Sum("closed"),
            on_time=Sum("on_time"),
            days_sum=Sum("days_sum"),
            days_count=Sum("days_count"),
            reopened=Sum("reopened"),
            rating_sum=Sum("rating_sum"),
            rated=Sum("rated"),
        )
        .order_by("category")
    )
    return [
        {
            "key": labels.get(r["category"], r["category"]) or "—",
            "total": r["total"],
            "closed": r["closed"],
            "on_time_rate": _pct(r["on_time"], r["closed"]),
            "avg_days": round(r["days_sum"] / r["days_count"], 1) if r["days_count"] else None,
            "reopen_rate": _pct(r["reopened"], r["total"]),
            "rating": round(r["rating_sum"] / r["rated"], 2) if r["rated"] else None,
        }
        for r in found
        if r["total"]
    ]


def sections(zone, year, month, user):
    rows = summary_by_category(zone, year, month)
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
