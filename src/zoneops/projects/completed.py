"""Each project's 本年累计 completed investment, copied from its latest monthly figure of
its plan year onto the project (what the board, the lights and the lists sort and filter by).

Kept apart from ``services`` so that the importers, which refresh it after writing, need not
import the services (which run imports for the bulk API)."""

from decimal import Decimal

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from zoneops.core.audit import bulk
from zoneops.projects import rollups
from zoneops.projects.models import MonthlyInvestment, Project


def refresh_completed(project_ids) -> None:
    """Copy each project's latest 本年累计 of its plan year onto it (one UPDATE a chunk)."""
    ids = list(project_ids)
    latest = MonthlyInvestment.objects.filter(
        project=OuterRef("pk"), year=OuterRef("plan_year")
    ).order_by("-month")
    for start in range(0, len(ids), 2000):
        Project.objects.filter(pk__in=ids[start : start + 2000]).update(
            completed_ytd=Coalesce(
                Subquery(latest.values("completed_ytd")[:1]), Value(Decimal("0"))
            ),
            completed_month=Subquery(latest.values("month")[:1]),
        )
    rollups.touch_projects(ids)  # the lights judge the completed investment


def set_completed(updates: list[tuple[Decimal, int, int]]) -> None:
    """Set (completed_ytd, completed_month) of many projects: (value, month, project id)."""
    bulk.update_values(Project, ["completed_ytd", "completed_month"], updates)
    rollups.touch_projects([project_id for _value, _month, project_id in updates])
