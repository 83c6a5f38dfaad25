"""Hazards' part of the dashboard and the dispatch pack: open hazards, major ones first."""

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCaseRollup
from zoneops.core.registries.panels import MAX_TABLE_ROWS, Panel, Section, Table, zone_ids
from zoneops.hazards.models import Hazard, Level
from zoneops.hazards.workflow import GENERAL, MAJOR


def panels(zones, year, month, user):
    # Read from the closed loop's roll-up: a hazard's case kind is its level's workflow.
    figures = {
        key: value or 0
        for key, value in LoopCaseRollup.objects.filter(
            zone_id__in=zone_ids(zones), is_open=True, kind__in=[GENERAL, MAJOR]
        )
        .aggregate(
            total=Sum("n"),
            major=Sum("n", filter=Q(kind=MAJOR)),
            overdue=Sum("n", filter=loop.overdue_q(prefix="")),
        )
        .items()
    }
    return [
        Panel(
            key="hazards.open",
            title=_("Open safety hazards"),
            value=figures["total"],
            unit=_("{major} major, {overdue} overdue").format(
                major=figures["major"], overdue=figures["overdue"]
            ),
            url=reverse("hazards:hazard_list") + "?is_open=true",
            status="bad" if figures["major"] or figures["overdue"] else "ok",
            order=70,
        )
    ]


def sections(zone, year, month, user):
    total = (
        LoopCaseRollup.objects.filter(
            zone__path__startswith=zone.path, is_open=True, kind=MAJOR
        ).aggregate(n=Sum("n"))["n"]
        or 0
    )
    if not total:
        return []
    major = (
        Hazard.objects.filter(
            zone__path__startswith=zone.path, case__is_open=True, level=Level.MAJOR
        )
        .select_related("case", "case__handler", "zone", "enterprise")
        .order_by("deadline", "id")[:MAX_TABLE_ROWS]
    )
    return [
        Section(
            key="hazards.major",
            title=_("Open major hazards"),
            order=70,
            table=Table(
                headers=[
                    _("Hazard"),
                    _("Enterprise or place"),
                    _("Zone"),
                    _("Owner"),
                    _("Rectification deadline"),
                    _("State"),
                ],
                rows=[
                    [
                        h.title,
                        h.enterprise.name if h.enterprise else h.place,
                        h.zone.name,
                        str(h.case.handler or ""),
                        h.deadline.isoformat(),
                        str(h.state_label),
                    ]
                    for h in major
                ],
                total=total,
            ),
        )
    ]
