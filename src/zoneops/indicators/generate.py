"""Synthetic indicator values and targets for ``zoneops generate`` (benchmarks).

For every generated development zone: ``--months`` months (ending last month, as the
enterprises' figures do) of the cumulative catalog indicators with a seasonal shape and yoy
growth, the stock indicators, and targets for the current year. Deterministic for a seed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.audit import bulk
from zoneops.core.audit.bulk import log_bulk_create
from zoneops.core.audit.trail import snapshot
from zoneops.core.models import Zone
from zoneops.core.ops.generate import insert_rows
from zoneops.indicators.models import Indicator, IndicatorValue, Target

SEASON = [5, 6, 9, 8, 8, 9, 8, 8, 9, 9, 9, 12]
# code: (typical annual total in 万元 or year-end count, spread)
SCALE = {
    "gdp": (8_000_000, 0.6),
    "industrial_output_above_scale": (12_000_000, 0.7),
    "industrial_value_added": (3_000_000, 0.7),
    "fixed_asset_investment": (3_000_000, 0.6),
    "retail_sales": (1_500_000, 0.6),
    "retail_sales_above_quota": (700_000, 0.6),
    "services_revenue": (2_000_000, 0.6),
    "services_value_added": (3_500_000, 0.6),
    "funds_in_place": (1_200_000, 0.6),
    "import_export": (600_000, 0.8),
    "new_market_entities": (5_000, 0.6),
    "hnte_count": (300, 0.7),
    "srdi_count": (60, 0.7),
    "little_giant_count": (10, 0.7),
}
BATCH = 5000


def add_arguments(parser) -> None:
    if "--months" not in parser._option_string_actions:  # the enterprises app may define it
        parser.add_argument("--months", type=int, default=12, help="months of figures")


def periods_ending(last: dt.date, count: int) -> list[tuple[int, int]]:
    year, month = last.year, last.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(out)


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    months = options.get("months") or 12
    if not zones:
        return "no zones"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    today = timezone.localdate()
    periods = periods_ending(today.replace(day=1) - dt.timedelta(days=1), months)
    indicators = [i for i in Indicator.objects.filter(code__in=SCALE)]
    years = sorted({y for y, _m in periods} | {periods[0][0] - 1})
    values, targets = [], []
    for zone in zones:
        for indicator in indicators:
            base, spread = SCALE[indicator.code]
            total = Decimal(base * rng.uniform(1 - spread, 1 + spread))
            by_year = {}
            for year in years:
                by_year[year] = total
                total = total * Decimal(1 + rng.uniform(-0.03, 0.12))
            ytd_by = {}
            for year, month in periods:
                total = by_year[year]
                if indicator.is_cumulative:
                    share = Decimal(sum(SEASON[:month])) / 100
                    value = (total * share).quantize(Decimal("1"))
                else:
                    previous = by_year.get(year - 1, total)
                    value = (previous + (total - previous) * month / 12).quantize(Decimal("1"))
                ytd_by[(year, month)] = value
                last = ytd_by.get((year - 1, month))
                yoy = ((value / last - 1) * 100).quantize(Decimal("0.01")) if last else None
                values.append(
                    IndicatorValue(
                        zone=zone,
                        indicator=indicator,
                        year=year,
                        month=month,
                        value=value,
                        yoy=yoy,
                        source=source,
                    )
                )
            this_year = periods[-1][0]
            targets.append(
                Target(
                    zone=zone,
                    indicator=indicator,
                    year=this_year,
                    growth=Decimal(rng.choice(["5", "6", "6.5", "7", "8", "10"])),
                    source=source,
                )
            )
    # Through the one bulk writer (COPY on PostgreSQL) with their audit rows, as
    # ``log_bulk_create`` writes them: a province has 50,000 values.
    columns = ["zone_id", "indicator_id", "year", "month", "value", "yoy", "source"]
    ids = insert_rows(
        IndicatorValue, [{name: getattr(v, name) for name in columns} for v in values]
    )
    for value, pk in zip(values, ids, strict=True):
        value.pk = value.id = pk
    bulk.log_created(IndicatorValue, ((v.pk, str(v), v.zone_id, snapshot(v)) for v in values))
    log_bulk_create(Target.objects.bulk_create(targets, batch_size=BATCH))
    return f"{len(values)} indicator values, {len(targets)} targets"
