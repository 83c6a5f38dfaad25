"""Appeal statistics: on-time closure, working days to close, reopening and satisfaction."""

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from zoneops.appeals.models import Appeal, Category
from zoneops.core.loop import workflows as loop

DIMENSIONS = {
    "department": (_("Department"), "case__department__name"),
    "category": (_("Category"), "category"),
    "zone": (_("Zone"), "zone__name"),
    "month": (_("Month submitted"), "month"),
}


def summary(queryset, by: str) -> list[dict]:
    """One row per value of ``by`` with counts, rates (in %) and averages."""
    _label, key = DIMENSIONS[by]
    qs = queryset.order_by()
    if by == "month":
        qs = qs.annotate(month=TruncMonth("case__opened_on"))
    closed = Q(case__is_open=False) & ~Q(closed_by=Appeal.ClosedBy.DISMISSED)
    rows = (
        qs.values(key)
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(case__is_open=True)),
            closed=Count("id", filter=closed),
            on_time=Count("id", filter=closed & Q(closed_on_time=True)),
            days=Avg("close_working_days", filter=closed),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            overdue=Count("id", filter=loop.overdue_q()),
            avg_rating=Avg("rating"),
            rated=Count("rating"),
        )
        .order_by(key)
    )
    labels = dict(Category.choices)
    result = []
    for row in rows:
        value = row[key]
        if by == "category":
            value = labels.get(value, value)
        elif by == "month" and value is not None:
            value = value.strftime("%Y-%m")
        result.append(
            {
                "key": value if value not in (None, "") else "—",
                "total": row["total"],
                "open": row["open"],
                "closed": row["closed"],
                "overdue": row["overdue"],
                "on_time_rate": _pct(row["on_time"], row["closed"]),
                "avg_days": round(row["days"], 1) if row["days"] is not None else None,
                "reopen_rate": _pct(row["reopened"], row["total"]),
                "rating": round(row["avg_rating"], 2) if row["avg_rating"] is not None else None,
                "rated": row["rated"],
            }
        )
    return result


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def overdue(queryset):
    """Open appeals past their deadline, the longest overdue first: the dispatch meeting's list."""
    return (
        queryset.filter(loop.overdue_q())
        .select_related("case", "case__department", "case__handler", "zone", "submission")
        .order_by("case__due_date", "id")
        .annotate(due=F("case__due_date"))
    )
