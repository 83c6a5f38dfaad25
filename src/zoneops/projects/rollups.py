"""Key projects' roll-up (kind "project_lights"): projects per zone and light as they stand on
a day, with their plan and completed investment (``ProjectLightRollup``), what the
dashboard's lights panel reads instead of working out the light of every project of the
province.

A light depends on the day it is judged on, so rows are kept for the days the dashboard asks
for (``KEEP_DAYS``): today, and the ends of the months just past (a month's dashboard judges
its lights at the month's end, and the latest month with figures is usually the last one).
- every write of a project, a milestone, a blocker or a blocker's case recomputes its zone for
  each kept day, in the write's transaction (the roll-up's ``sources`` and ``slices``); the
  importers, which write past the model signals, touch the zones they wrote;
- the first read of a day not kept yet (``rows_for``), or ``zoneops tick`` after midnight,
  computes every zone for it in one pass, under a table lock so that two readers do it once,
  and drops the days no longer asked for;
- a dashboard of an older month works its lights out directly.
The lights themselves are ``annotate_lights``, as in the lists and detail pages, so the two
never disagree (a test compares them after every kind of write and day after day).
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
KEEP_DAYS = 62  # month ends this recent are kept: the last two months' dashboards


def kept_days() -> list[dt.date]:
    return list(
        ProjectLightRollup._base_manager.order_by("day").values_list("day", flat=True).distinct()
    )


def is_kept(day: dt.date, today: dt.date) -> bool:
    """Whether the roll-up keeps ``day``: today, or a recent month's end."""
    month_end = (day + dt.timedelta(days=1)).day == 1
    return day == today or (month_end and today - dt.timedelta(days=KEEP_DAYS) <= day < today)


def light_rows(zone_ids: list[int] | None, where: dict):
    """The roll-up rows of ``zone_ids`` on ``where``'s day."""
    day = where["day"]
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


def _slices() -> list[dict]:
    return [{"day": day} for day in kept_days()]


def keep(day: dt.date) -> bool:
    """Keep the rows of ``day`` (every zone in one pass) if they are not yet, dropping the days
    no longer asked for. Answers whether it computed them (never without projects)."""
    if day in kept_days() or not Project._base_manager.exists():
        return False
    using = router.db_for_write(ProjectLightRollup)
    connection = connections[using]
    table = connection.ops.quote_name(ProjectLightRollup._meta.db_table)
    today = timezone.localdate()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The second reader of a new day waits here, then finds it done.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        days = kept_days()
        if day in days:
            return False
        old = [d for d in days if not is_kept(d, today)]
        if old:
            cursor.execute(
                f"DELETE FROM {table} WHERE day IN ({', '.join(['%s'] * len(old))})", old
            )
        rollups.recompute(rollups.get(KIND), None, {"day": day})
    return True


def _kept(zone_ids: list[int], day: dt.date):
    """The roll-up rows of ``zone_ids`` on ``day`` (computed first if the day is not kept
    yet); None for a day the roll-up does not keep."""
    if not is_kept(day, timezone.localdate()):
        return None
    keep(day)
    return ProjectLightRollup._base_manager.filter(zone_id__in=zone_ids, day=day).order_by()


def rows_for(zone_ids: list[int], day: dt.date) -> list[dict] | None:
    """Per light: projects, plan and completed investment of ``zone_ids`` judged on ``day``,
    from the roll-up when it keeps that day; None for an older day (the caller works it out)."""
    kept = _kept(zone_ids, day)
    if kept is None:
        return None
    return list(
        kept.values("light").annotate(
            n=Sum("projects"), plan=Sum("annual_plan"), done=Sum("completed_ytd")
        )
    )


def per_zone(zone_ids: list[int], day: dt.date) -> dict[int, dict[int, int]] | None:
    """{zone id: {light: projects}} of ``zone_ids`` on ``day`` from the roll-up (None for a
    day it does not keep): which zones hold the red and yellow projects."""
    kept = _kept(zone_ids, day)
    if kept is None:
        return None
    found: dict[int, dict[int, int]] = {}
    for zone_id, light, projects in kept.values_list("zone_id", "light", "projects"):
        found.setdefault(zone_id, {})[light] = projects
    return found


def tick() -> str:
    """``zoneops tick``: keep the lights of today and of the last month's end, so the first
    dashboard of the day need not compute them."""
    today = timezone.localdate()
    days = [today, today.replace(day=1) - dt.timedelta(days=1)]
    computed = [d for d in days if keep(d)]
    return "project lights kept for " + ", ".join(
        f"{d}" + (" (computed)" if d in computed else "") for d in days
    )


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
        slices=_slices,
        sources={
            Project: lambda project: [project.zone_id],
            Milestone: lambda milestone: _zone_of_project(milestone.project_id),
            Blocker: lambda blocker: _zone_of_project(blocker.project_id),
            LoopCase: _blocker_case_keys,
        },
    )
