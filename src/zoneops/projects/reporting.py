"""Key projects on the dashboard and in the dispatch pack: lights, investment, the lagging list."""

import datetime as dt

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.models import Zone
from zoneops.core.registries.panels import (
    MAX_TABLE_ROWS,
    Panel,
    Section,
    Table,
    period_end,
    zone_ids,
)
from zoneops.projects import rollups as light_rollups
from zoneops.projects.lights import GREEN, LIGHT_CHOICES, RED, YELLOW, elapsed_share, reasons
from zoneops.projects.models import Project


def _as_of(year: int, month: int) -> dt.date:
    """Lights as they stood at the end of the period (or today, for the current month)."""
    return min(period_end(year, month), timezone.localdate())


def panels(zones, year, month, user):
    day = _as_of(year, month)
    ids = zone_ids(zones)
    # Today's lights from the roll-up; a past period's, judged at its end, worked out here.
    rows = light_rollups.rows_for(ids, day)
    if rows is None:
        # Grouped by light, each project's light is worked out once, and PostgreSQL may read
        # the late milestones and blockers once into a hash instead of per project.
        rows = list(
            Project.objects.filter(zone_id__in=ids)
            .with_lights(today=day)
            .order_by()
            .values("light")
            .annotate(n=Count("pk"), plan=Sum("annual_plan"), done=Sum("completed_ytd"))
        )
    if not rows:
        return []
    per_light = {row["light"]: row["n"] for row in rows}
    counts = {
        "total": sum(per_light.values()),
        "red": per_light.get(RED, 0),
        "yellow": per_light.get(YELLOW, 0),
        "plan": sum(row["plan"] or 0 for row in rows),
        "done": sum(row["done"] or 0 for row in rows),
    }
    rate = (counts["done"] or 0) * 100 / counts["plan"] if counts["plan"] else None
    labels = dict(LIGHT_CHOICES)
    return [
        Panel(
            key="projects.lights",
            title=_("Key projects"),
            value=counts["red"],
            unit=_("red, {yellow} yellow of {total}").format(
                yellow=counts["yellow"], total=counts["total"]
            ),
            note=_("Investment {rate}% of the annual plan; {elapsed}% of the year elapsed").format(
                rate=f"{rate:.1f}" if rate is not None else "—",
                elapsed=f"{elapsed_share(day):.1f}",
            ),
            url=reverse("projects:lagging"),
            status="bad" if counts["red"] else ("warn" if counts["yellow"] else "ok"),
            chart={
                "tooltip": {"trigger": "item"},
                "series": [
                    {
                        "type": "pie",
                        "radius": ["40%", "70%"],
                        "data": [
                            {
                                "name": str(labels[GREEN]),
                                "value": counts["total"] - counts["red"] - counts["yellow"],
                                "itemStyle": {"color": "#198754"},
                            },
                            {
                                "name": str(labels[YELLOW]),
                                "value": counts["yellow"],
                                "itemStyle": {"color": "#ffc107"},
                            },
                            {
                                "name": str(labels[RED]),
                                "value": counts["red"],
                                "itemStyle": {"color": "#dc3545"},
                            },
                        ],
                    }
                ],
            },
            order=20,
        )
    ]


def sections(zone, year, month, user):
    day = _as_of(year, month)
    zones = list(Zone.objects.filter(path__startswith=zone.path).order_by("path"))
    ids = [z.pk for z in zones]
    counts = light_rollups.per_zone(ids, day)
    if counts is None:
        lagging, per_light = _lagging_worked_out(ids, day)
    else:
        lagging, per_light = _lagging_from_the_roll_up(zones, counts, day)
    total, red = sum(per_light.values()), per_light.get(RED, 0)
    labels = dict(LIGHT_CHOICES)
    rows = [
        [
            f"{p.code} {p.name}",
            p.zone.name,
            p.get_stage_display(),
            p.leader_name,
            str(labels[p.light]),
            ";".join(text for _level, text in reasons(p)),
        ]
        for p in lagging
    ]
    return [
        Section(
            key="projects.lagging",
            title=_("Key projects behind schedule"),
            order=20,
            paragraphs=[
                _("{count} projects are red or yellow ({red} red).").format(count=total, red=red)
                if rows
                else _("No key project is behind schedule.")
            ],
            table=Table(
                [
                    _("Project"),
                    _("Zone"),
                    _("Stage"),
                    _("Responsible leader"),
                    _("Light"),
                    _("Reasons"),
                ],
                rows,
                total=total,
            )
            if rows
            else None,
        )
    ]


def _lagging_worked_out(ids: list[int], day: dt.date):
    """The first red and yellow projects (red first, by zone and code) and the count of
    each light, every light worked out (a month older than the roll-up keeps)."""
    lit = Project.objects.filter(zone_id__in=ids).with_lights(today=day)
    per_light = dict(
        lit.filter(light__in=[RED, YELLOW])
        .order_by()
        .values("light")
        .annotate(n=Count("pk"))
        .values_list("light", "n")
    )
    if not per_light:
        return [], per_light
    lagging = (
        lit.filter(light__in=[RED, YELLOW])
        .select_related("zone")
        .order_by("-light", "zone__path", "code")[:MAX_TABLE_ROWS]
    )
    return list(lagging), per_light


def _lagging_from_the_roll_up(zones, counts: dict[int, dict[int, int]], day: dt.date):
    """The same rows, the lights worked out only in the zones that hold them: the roll-up
    says how many red and yellow projects each zone has, so walking the zones in the table's
    order (by path) finds the few whose projects fill the first ``MAX_TABLE_ROWS`` rows."""
    per_light = {
        light: sum(by_light.get(light, 0) for by_light in counts.values())
        for light in (RED, YELLOW)
    }
    lagging: list[Project] = []
    for light in (RED, YELLOW):
        room = MAX_TABLE_ROWS - len(lagging)
        holding, seen = [], 0
        for zone in zones:
            if seen >= room:
                break
            n = counts.get(zone.pk, {}).get(light, 0)
            if n:
                holding.append(zone.pk)
                seen += n
        if holding:
            lagging += list(
                Project.objects.filter(zone_id__in=holding)
                .with_lights(today=day)
                .filter(light=light)
                .select_related("zone")
                .order_by("zone__path", "code")[:room]
            )
    return lagging, {light: n for light, n in per_light.items() if n}
