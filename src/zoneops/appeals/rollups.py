"""Appeals' roll-up (kind "appeals"): appeals per zone, month of submission and category
(``AppealRollup``), what the dashboard's year-to-date panel and the pack's summary read."""

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from zoneops.appeals import workflow
from zoneops.appeals.models import Appeal, AppealRollup
from zoneops.core.loop.models import LoopCase
from zoneops.core.registries import rollups

KIND = "appeals"
CLOSED = Q(case__is_open=False) & ~Q(closed_by=Appeal.ClosedBy.DISMISSED)


def appeal_rows(zone_ids: list[int] | None):
    qs = Appeal._base_manager.all()
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
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


def _case_zones(case: LoopCase) -> list[int]:
    """A case's state counts in its appeal's row (open, closed): the appeal's zone."""
    if case.kind != workflow.KIND:
        return []
    return list(Appeal._base_manager.filter(case_id=case.pk).values_list("zone_id", flat=True))


def register() -> None:
    rollups.register(
        KIND,
        model=AppealRollup,
        select=appeal_rows,
        sources={Appeal: lambda appeal: [appeal.zone_id], LoopCase: _case_zones},
    )
