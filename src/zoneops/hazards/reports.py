"""Hazard statistics: open by level and age, closure rate, repeats, inspection coverage."""

import datetime as dt

from django.db.models import Count, F, Q

from zoneops.core.loop import workflows as loop
from zoneops.hazards.models import InspectionRound, Level

AGE_BUCKETS = ((0, 7), (8, 30), (31, 90), (91, None))


def open_by_level_and_age(queryset, today: dt.date) -> list[dict]:
    rows = []
    open_qs = queryset.filter(case__is_open=True)
    for level, label in Level.choices:
        counts = []
        for low, high in AGE_BUCKETS:
            q = Q(level=level, found_on__lte=today - dt.timedelta(days=low))
            if high is not None:
                q &= Q(found_on__gte=today - dt.timedelta(days=high))
            counts.append(q)
        agg = open_qs.aggregate(
            **{f"b{i}": Count("id", filter=q) for i, q in enumerate(counts)},
            overdue=Count("id", filter=Q(level=level) & loop.overdue_q(today=today)),
        )
        rows.append(
            {
                "level": label,
                "buckets": [agg[f"b{i}"] for i in range(len(AGE_BUCKETS))],
                "total": sum(agg[f"b{i}"] for i in range(len(AGE_BUCKETS))),
                "overdue": agg["overdue"],
            }
        )
    return rows


def closure(queryset) -> dict:
    agg = queryset.aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(case__is_open=False)),
        on_time=Count("id", filter=Q(case__is_open=False, rectified_on__lte=F("deadline"))),
        reworked=Count("id", filter=Q(rework_count__gt=0)),
    )
    agg["closure_rate"] = _pct(agg["closed"], agg["total"])
    agg["on_time_rate"] = _pct(agg["on_time"], agg["closed"])
    return agg


def repeats(queryset, min_count: int = 2) -> list[dict]:
    """Enterprises with the same category of hazard found more than once."""
    return list(
        queryset.filter(enterprise__isnull=False)
        .values("enterprise_id", "enterprise__name", "category")
        .annotate(count=Count("id"))
        .filter(count__gte=min_count)
        .order_by("-count", "enterprise__name")
    )


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def coverage(user, year: int, quarter: int) -> dict:
    """Above-scale (规上) enterprises inspected in the quarter, of those the user sees."""
    from zoneops.enterprises.models import Enterprise

    start, end = quarter_bounds(year, quarter)
    enterprises = Enterprise.objects.restrict(user, "view").filter(above_scale=True)
    enterprises = enterprises.exclude(status=Enterprise.Status.DEREGISTERED)
    rounds = InspectionRound.objects.filter(done_on__gte=start, done_on__lte=end)
    inspected = enterprises.filter(inspection_rounds__in=rounds).distinct()
    found = enterprises.filter(hazards__found_on__gte=start, hazards__found_on__lte=end).distinct()
    total = enterprises.count()
    covered_ids = set(inspected.values_list("pk", flat=True)) | set(
        found.values_list("pk", flat=True)
    )
    by_zone = {}
    for pk, zone_name in enterprises.values_list("pk", "zone__name"):
        row = by_zone.setdefault(zone_name, {"zone": zone_name, "total": 0, "covered": 0})
        row["total"] += 1
        row["covered"] += pk in covered_ids
    for row in by_zone.values():
        row["rate"] = _pct(row["covered"], row["total"])
    missing = enterprises.exclude(pk__in=covered_ids).order_by("name")[:200]
    return {
        "start": start,
        "end": end,
        "total": total,
        "covered": len(covered_ids),
        "rate": _pct(len(covered_ids), total),
        "by_zone": sorted(by_zone.values(), key=lambda r: r["zone"]),
        "missing": missing,
    }


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
