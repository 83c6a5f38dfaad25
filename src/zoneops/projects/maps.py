"""The zone map: projects coloured by their light and sized by investment, enterprises by tier.

The points travel as compact JSON: one array per attribute (columnar), coordinates as whole
numbers of 1e-5 degrees (about a metre) from the south-west corner of the points, so that a
zone with 5,000 projects and 20,000 enterprises stays well under a megabyte. Names and
details are fetched for one point when it is clicked (``card``).
"""

from django.db.models import BigIntegerField, F, IntegerField, Value
from django.db.models.functions import Cast, Round

from zoneops.core.access.permissions import VIEW
from zoneops.core.models import Zone
from zoneops.enterprises import services as enterprise_services
from zoneops.enterprises.filters import EnterpriseFilterSet
from zoneops.enterprises.models import Enterprise
from zoneops.projects.filters import ProjectFilterSet
from zoneops.projects.models import Project

SCALE = 100_000  # coordinates in 1e-5 degrees
PROJECT_PREFIX = "p"
ENTERPRISE_PREFIX = "e"


def filtersets(request, zone: Zone):
    """The project and enterprise filters of the map page (prefixed ``p-`` and ``e-``), over
    the records of ``zone`` and its sub-zones that the user sees and that have a point."""
    user = request.user
    projects = (
        Project.objects.restrict(user, VIEW)
        .filter(zone__path__startswith=zone.path, longitude__isnull=False)
        .order_by()
    )
    enterprises = (
        Enterprise.objects.restrict(user, VIEW)
        .filter(zone__path__startswith=zone.path, longitude__isnull=False)
        .order_by()
    )
    return (
        ProjectFilterSet(request.GET, queryset=projects, request=request, prefix=PROJECT_PREFIX),
        EnterpriseFilterSet(
            request.GET, queryset=enterprises, request=request, prefix=ENTERPRISE_PREFIX
        ),
    )


def _filtered(filterset):
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _scaled(field: str):
    """A coordinate as whole 1e-5 degrees, computed by the database: turning 25,000 rows of
    Decimals into numbers in Python would cost more than the queries."""
    return Cast(Round(F(field) * Value(SCALE)), IntegerField())


def points(request, zone: Zone) -> dict:
    """The map's data: projects (id, x, y, light, investment in 万元) and enterprises
    (id, x, y, tier rank), columnar, with the origin the x and y count from."""
    project_filters, enterprise_filters = filtersets(request, zone)
    project_rows = list(
        _filtered(project_filters)
        .with_lights()
        .annotate(
            map_x=_scaled("longitude"),
            map_y=_scaled("latitude"),
            map_investment=Cast("total_investment", BigIntegerField()),
        )
        .values_list("pk", "map_x", "map_y", "light", "map_investment")
    )
    enterprise_rows = list(
        _filtered(enterprise_filters)
        .annotate(
            map_x=_scaled("longitude"),
            map_y=_scaled("latitude"),
            map_tier=enterprise_services.current_tier_rank(),
        )
        .values_list("pk", "map_x", "map_y", "map_tier")
    )
    project_ids, project_x, project_y, lights, investment = (
        [list(column) for column in zip(*project_rows, strict=True)] if project_rows else [[]] * 5
    )
    enterprise_ids, enterprise_x, enterprise_y, tiers = (
        [list(column) for column in zip(*enterprise_rows, strict=True)]
        if enterprise_rows
        else [[]] * 4
    )
    origin_x = min(project_x + enterprise_x, default=0)
    origin_y = min(project_y + enterprise_y, default=0)
    return {
        "zone": {"id": zone.pk, "name": zone.name},
        "origin": [origin_x / SCALE, origin_y / SCALE],
        "scale": SCALE,
        "projects": {
            "id": project_ids,
            "x": [x - origin_x for x in project_x],
            "y": [y - origin_y for y in project_y],
            "light": lights,
            "investment": [value or 0 for value in investment],
        },
        "enterprises": {
            "id": enterprise_ids,
            "x": [x - origin_x for x in enterprise_x],
            "y": [y - origin_y for y in enterprise_y],
            "tier": [tier or 0 for tier in tiers],
        },
    }
