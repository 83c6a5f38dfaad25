"""Figures per zone that apps add to the zone tree (enterprises, projects, open appeals …),
registered from their AppConfig.ready(): the zone list then shows each zone's figure with its
sub-zones' included (a parent's subtotal of its children) without core importing any app.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ZoneFigure:
    key: str
    label: object  # a (lazy) translated column header
    # (user) → (zone id, value) pairs of the user's own records, one pair per zone: one query.
    per_zone: Callable[[object], Iterable[tuple[int, int | Decimal]]]
    order: int = 50


_registry: dict[str, ZoneFigure] = {}


def register(figure: ZoneFigure) -> ZoneFigure:
    _registry[figure.key] = figure
    return figure


def registered() -> list[ZoneFigure]:
    return sorted(_registry.values(), key=lambda f: (f.order, f.key))


def subtree_totals(user, zones) -> dict[int, dict[str, int | Decimal]]:
    """zone id → figure key → the figure over the zone and every sub-zone the user sees.

    One query per figure plus one for the zones' paths, whatever the number of zones."""
    from zoneops.core.zones.models import Zone

    wanted = {z.pk for z in zones}
    totals: dict[int, dict[str, int | Decimal]] = {pk: {} for pk in wanted}
    own: dict[str, dict[int, int | Decimal]] = {}
    zone_ids: set[int] = set()
    for figure in registered():
        own[figure.key] = values = defaultdict(int)
        for zone_id, value in figure.per_zone(user):
            values[zone_id] += value or 0
            zone_ids.add(zone_id)
    paths = dict(Zone.objects.filter(pk__in=zone_ids).values_list("pk", "path"))
    for key, values in own.items():
        for pk in wanted:
            totals[pk][key] = 0
        for zone_id, value in values.items():
            for part in paths.get(zone_id, "").strip("/").split("/"):
                if part and int(part) in wanted:
                    totals[int(part)][key] += value
    return totals


def count_by_zone(queryset, zone_field: str = "zone"):
    """(zone id, number of rows) of a queryset, grouped in the database."""
    from django.db.models import Count

    return (
        queryset.order_by()
        .values_list(f"{zone_field}_id")
        .annotate(n=Count("pk"))
        .values_list(f"{zone_field}_id", "n")
    )


def sum_by_zone(queryset, field: str, zone_field: str = "zone"):
    """(zone id, sum of ``field``) of a queryset, grouped in the database."""
    from django.db.models import Sum

    return (
        queryset.order_by()
        .values_list(f"{zone_field}_id")
        .annotate(total=Sum(field))
        .values_list(f"{zone_field}_id", "total")
    )
