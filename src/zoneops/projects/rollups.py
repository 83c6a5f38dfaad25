"""Key projects' roll-up (kind "project_lights"): projects per zone and light on one day, with
their plan and completed investment (``ProjectLightRollup``), what the dashboard's lights
panel reads instead of working out the light of every project of the province.

A light depends on the day it is judged on, so the rows are kept for one day (the table holds
one ``day`` at a time):
- every write of a project, a milestone, a blocker or a blocker's case recomputes its zone for
  the kept day, in the write's transaction (the roll-up's ``sources``); the importers, which
  write past the model signals, touch the zones they wrote;
- the first read of a new day (``rows_for``), or ``zoneops tick`` after midnight, recomputes
  every zone for that day in one pass, under a table lock so that two readers do it once;
- a dashboard of a past period (judged at that period's end) works its lights out directly.
The lights themselves are ``ProjectQuerySet.with_lights``, the same as the lists and detail
pages, so the two never disagree (a test compares them after every kind of write).
"""

import datetime as dt

from django.db import connections, router, transaction
from django.db.models import Count, DateField, Sum, Value
from django.utils import timezone

from zoneops.core.loop.models import LoopCase
from zoneops.core.registries import rollups
from zoneops.projects import workflow
from zoneops.projects.lights import annotate_lights
from zoneops.projects.models import Blocker, Milestone, Project, ProjectLightRollup

KIND = "project_lights"


def kept_day() -> dt.date | None:
    """The day the rows are kept for; None when the table is empty or (briefly, after a write
    raced a new day's refill) holds more than one day."""
    days = list(
        ProjectLightRollup._base_manager.order_by().values_list("day", flat=True).distinct()[:2]
    )
    return days[0] if len(days) == 1 else None


def light_rows(zone_ids: list[int] | None, where: dict):
    """The roll-up rows of ``zone_ids`` for ``where``'s day, else for the kept day (a write's
    recomputation keeps the table on one day), else today."""
    day = where.get("day") or kept_day() or timezone.localdate()
    qs = Project._base_manager.all()
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
    return (
        annotate_lights(qs, today=day)
        .order_by()
        .values("zone_id", "light")
        .annotate(
            rollup_day=Value(day, output_field=DateField()),
            projects=Count("id"),
            rollup_annual_plan=Sum("annual_plan"),
            rollup_completed_ytd=Sum("completed_ytd"),
        )
    )


def move_to(day: dt.date) -> bool:
    """Keep the rows for ``day``: recompute every zone for it if they are kept for another
    (one pass over the projects). Answers whether it recomputed."""
    if kept_day() == day:
        return False
    using = router.db_for_write(ProjectLightRollup)
    connection = connections[using]
    table = connection.ops.quote_name(ProjectLightRollup._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The second reader of a new day waits here, then finds it done.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        if kept_day() == day:
            return False
        cursor.execute(f"DELETE FROM {table} WHERE day <> %s", [day])
        rollups.recompute(rollups.get(KIND), None, {"day": day})
    return True


def rows_for(zone_ids: list[int], day: dt.date) -> list[dict] | None:
    """Per light: projects, plan and completed investment of ``zone_ids`` on ``day``, from
    the roll-up when ``day`` is today; None for another day (the caller works it out)."""
    if day != timezone.localdate():
        return None
    if kept_day() != day and Project._base_manager.exists():
        move_to(day)
    return list(
        ProjectLightRollup._base_manager.filter(zone_id__in=zone_ids, day=day)
        .order_by()
        .values("light")
        .annotate(n=Sum("projects"), plan=Sum("annual_plan"), done=Sum("completed_ytd"))
    )


def tick() -> str:
    """``zoneops tick``: keep the lights for today, so the first dashboard of the day need not
    recompute them."""
    today = timezone.localdate()
    moved = move_to(today) if Project._base_manager.exists() else False
    return f"project lights kept for {today}" + (" (recomputed)" if moved else "")


def touch_projects(project_ids) -> None:
    """Recompute the zones of ``project_ids`` (a bulk writer that went past the signals)."""
    ids = list(project_ids)
    zones: set[int] = set()
    for start in range(0, len(ids), 5000):
        zones.update(
            Project._base_manager.filter(pk__in=ids[start : start + 5000])
            .order_by()
            .values_list("zone_id", flat=True)
            .distinct()
        )
    touch_zones(zones)


def touch_zones(zone_ids) -> None:
    rollups.touch(KIND, zone_ids=sorted(set(zone_ids)))


def _zone_of_project(project_id: int | None) -> list[int]:
    if project_id is None:
        return []
    return list(Project._base_manager.filter(pk=project_id).values_list("zone_id", flat=True))


def _blocker_case_keys(case: LoopCase) -> list[int]:
    """A blocker's case (open, paused, its due date) decides whether the blocker is late."""
    if case.kind != workflow.KIND:
        return []
    return [case.zone_id]


def register() -> None:
    rollups.register(
        KIND,
        model=ProjectLightRollup,
        select=light_rows,
        sources={
            Project: lambda project: [project.zone_id],
            Milestone: lambda milestone: _zone_of_project(milestone.project_id),
            Blocker: lambda blocker: _zone_of_project(blocker.project_id),
            LoopCase: _blocker_case_keys,
        },
    )
