"""Appeals' roll-up (kind "appeals"): appeals per zone, month of submission and category
(``AppealRollup``), what the dashboard's year-to-date panel and the pack's summary read."""

import calendar
import datetime as dt

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from zoneops.appeals import workflow
from zoneops.appeals.models import Appeal, AppealRollup
from zoneops.core.loop.models import LoopCase
from zoneops.core.registries import rollups

KIND = "appeals"
CLOSED = Q(case__is_open=False) & ~Q(closed_by=Appeal.ClosedBy.DISMISSED)


def appeal_rows(zone_ids: list[int] | None, where: dict):
    """The roll-up rows of ``zone_ids``, of one month of submission if ``where`` names it."""
    qs = Appeal._base_manager.all()
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
    if where:
        year, month = where["year"], where["month"]
        qs = qs.filter(
            case__opened_on__gte=dt.date(year, month, 1),
            case__opened_on__lte=dt.date(year, month, calendar.monthrange(year, month)[1]),
        )
    return (
        qs.annotate(year=ExtractYear("case__opened_on"), month=ExtractMonth("case__opened_on"))
        .values("zone_id", "year", "month", "category")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(case__is_open=True)),
            closed=Count("id", filter=CLOSED),
            on_time=Count("id", filter=CLOSED & Q(closed_on_time=True)),
            days_sum=Coalesce(Sum("close_working_days", filter=CLOSED), Value(0)),
            days_count=Count("close_working_days", filter=CLOSED),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            rating_sum=Coalesce(Sum("rating"), Value(0)),
            rated=Count("rating"),
        )
    )


def _month(zone_id: int, day: dt.date | None):
    if day is None:
        return zone_id
    return (zone_id, {"year": day.year, "month": day.month})


def _appeal_keys(appeal: Appeal) -> list:
    """An appeal counts in its zone's row of the month its case was opened."""
    case = appeal._state.fields_cache.get("case")
    if case is not None and case.pk == appeal.case_id:
        opened_on = case.opened_on
    else:
        opened_on = (
            LoopCase._base_manager.filter(pk=appeal.case_id)
            .values_list("opened_on", flat=True)
            .first()
        )
    return [_month(appeal.zone_id, opened_on)]


def _case_keys(case: LoopCase) -> list:
    """A case's state (open, closed) and month count in its appeal's row."""
    if case.kind != workflow.KIND:
        return []
    zones = Appeal._base_manager.filter(case_id=case.pk).values_list("zone_id", flat=True)
    return [_month(zone_id, case.opened_on) for zone_id in zones]


def register() -> None:
    rollups.register(
        KIND,
        model=AppealRollup,
        select=appeal_rows,
        sources={Appeal: _appeal_keys, LoopCase: _case_keys},
    )
