"""The scale-up candidates' roll-up (kind "scale_up", ``ScaleUpRollup``): each zone's 升规入统
candidates as its latest month's figures judge them, what the candidate lists and the API read
instead of joining every enterprise to three months of figures.

A zone's rows change with its enterprises (status, above scale, industry, zone) and their
figures: every save and delete of either recomputes the zone (the model signals), and the
importers, which write past the signals, touch the zones they wrote (``touch_zones``).
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import BooleanField, DecimalField, F, FloatField, IntegerField, Value

from zoneops.core.models import Zone
from zoneops.core.registries import rollups
from zoneops.enterprises.models import Enterprise, MonthlyFigure, ScaleUpRollup
from zoneops.enterprises.services import scale

KIND = "scale_up"
COLUMNS = (
    "zone_id",
    "rollup_enterprise",
    "rollup_year",
    "rollup_month",
    "industry_id",
    "amount",
    "ytd",
    "full",
    "same",
    "ttm",
    "projection_reaches",
    "ratio",
)


def candidate_rows(zone_ids: list[int] | None, where: dict):
    """The roll-up rows of ``zone_ids`` (every zone: None): each zone's enterprises within the
    kept margin of their threshold in the zone's latest month with figures."""
    enterprises = scale.scale_up_base(Enterprise._base_manager.all())
    if zone_ids is None:
        zone_ids = list(
            Zone.objects.filter(pk__in=enterprises.values("zone_id")).values_list("pk", flat=True)
        )
    zones_by_period = defaultdict(list)
    for zone_id in zone_ids:
        period = scale.latest_period(enterprises.filter(zone_id=zone_id))
        if period is not None:
            zones_by_period[period].append(zone_id)
    parts = []
    for (year, month), ids in sorted(zones_by_period.items()):
        base = enterprises.filter(zone_id__in=ids)
        threshold_of, industries_by_amount = scale.revenue_thresholds(base, year)
        if not threshold_of:
            continue
        judged = scale.judged(base, year, month, scale.KEPT_MARGIN, industries_by_amount)
        parts.append(
            judged.annotate(
                rollup_enterprise=F("pk"),
                rollup_year=Value(year, output_field=IntegerField()),
                rollup_month=Value(month, output_field=IntegerField()),
                ratio=scale.RATIO,
            )
            .order_by()
            .values(*COLUMNS)
        )
    if not parts:
        return _no_rows()
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _no_rows():
    """A query of the roll-up's columns that finds nothing (an INSERT … SELECT needs one)."""
    money = DecimalField(max_digits=16, decimal_places=2)
    return (
        Enterprise._base_manager.filter(pk__lt=0)
        .annotate(
            rollup_enterprise=F("pk"),
            rollup_year=Value(0, output_field=IntegerField()),
            rollup_month=Value(0, output_field=IntegerField()),
            amount=Value(Decimal(0), output_field=money),
            ytd=Value(Decimal(0), output_field=money),
            full=Value(None, output_field=money),
            same=Value(None, output_field=money),
            ttm=Value(Decimal(0), output_field=money),
            projection_reaches=Value(False, output_field=BooleanField()),
            ratio=Value(0.0, output_field=FloatField()),
        )
        .values(*COLUMNS)
    )


def _figure_zones(figure: MonthlyFigure) -> list[int]:
    enterprise = figure._state.fields_cache.get("enterprise")
    if enterprise is not None and enterprise.pk == figure.enterprise_id:
        return [enterprise.zone_id]
    return list(
        Enterprise._base_manager.filter(pk=figure.enterprise_id).values_list("zone_id", flat=True)
    )


def touch_zones(zone_ids: Iterable[int]) -> None:
    """The importers' writes, past the model signals: each zone recomputed (once in a batch)."""
    ids = sorted({zone_id for zone_id in zone_ids if zone_id is not None})
    if ids:
        rollups.touch(KIND, zone_ids=ids)


def touch_all_zones() -> None:
    """A bulk load past the model signals (the demo data): every zone recomputed."""
    rollups.touch(KIND)


def register() -> None:
    rollups.register(
        KIND,
        model=ScaleUpRollup,
        select=candidate_rows,
        sources={Enterprise: lambda enterprise: [enterprise.zone_id], MonthlyFigure: _figure_zones},
    )
