"""Demo figures: 长春经开区's from seed 004 as history, 长春高新区's 2023–2025 synthetic.

Every record's ``source`` names the seed article or says "synthetic". The synthetic 长春高新区
series reach September 2025 (前三季度, as in seed 000) with 2025 targets, so that the progress
page shows what Q4 must still deliver.
"""

import datetime as dt
import hashlib
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zoneops.core.models import Zone
from zoneops.core.ops.demo import S000, S004
from zoneops.indicators import services
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target

SYNTHETIC = "演示数据（虚构）：非公开发布的数据"

# 长春经开区, seed 004 (interview of 2022-10): "过去五年,全区地区生产总值分别增长7.7%、8%、
# 5.4%、3%、5.7%" → 2017–2021; 2021 figures against what was expected at the start of the year.
CCJK_GDP_GROWTH = {2017: "7.7", 2018: "8", 2019: "5.4", 2020: "3", 2021: "5.7"}
# code: (2021 growth %, expected growth % (the year's target) or None, 2021 value or None)
CCJK_2021 = {
    "industrial_output_above_scale": ("7.2", "2.5", None),  # 由预计的2.5%提高到7.2%
    "retail_sales_above_quota": ("10.9", "6", None),  # 由预计的6%提高到10.9%
    "services_revenue": ("42", "30", None),  # 增长42%,较年初计划提高12个百分点
    "services_value_added": (None, None, "4690000"),  # 2021年服务业增加值实现469亿元
}
# 2022 expectations stated in the interview.
CCJK_2022_TARGETS = [
    ("fixed_asset_investment", None, "10", "预计全年固投增长10%以上"),
    ("import_export", "500000", None, "进出口额今年有望突破50亿元"),
]

# 长春高新区, synthetic: 2023 full-year totals (万元) and growth in 2024 and 2025 (to September).
CCGX_SERIES = {
    "gdp": ("9500000", "6.2", "5.1"),
    "industrial_output_above_scale": ("14000000", "7.5", "3.8"),
    "industrial_value_added": ("3900000", "7.0", "4.2"),
    "fixed_asset_investment": ("3200000", "9.0", "6.5"),
    "retail_sales": ("1800000", "6.0", "6.8"),
    "services_revenue": ("2600000", "11.0", "9.1"),
    "funds_in_place": ("1500000", "10.0", "8.0"),
}
# Each month's share of the year (%), the same shape each year: a slow start, a strong December.
SEASON = [5, 6, 9, 8, 8, 9, 8, 8, 9, 9, 9, 12]
CCGX_TARGETS_2025 = {
    "gdp": (None, "6.5"),
    "industrial_output_above_scale": (None, "8"),
    "industrial_value_added": (None, "7.5"),
    "fixed_asset_investment": (None, "10"),
    "retail_sales": (None, "7"),
    "services_revenue": (None, "10"),
    "funds_in_place": ("1750000", None),
    "hnte_count": ("660", None),
    "little_giant_count": ("21", None),
}
LAST_MONTH_2025 = 9
LOCKED_UP_TO_2025 = 8


def _put(zone, indicator, year, month, value, yoy=None, source=SYNTHETIC) -> bool:
    if IndicatorValue.objects.filter(
        zone=zone, indicator=indicator, year=year, month=month
    ).exists() or services.is_locked(zone, year, month):
        return False
    services.save_value(
        zone=zone,
        indicator=indicator,
        year=year,
        month=month,
        value=None if value is None else Decimal(value),
        yoy=None if yoy is None else Decimal(yoy),
        source=source,
        acting_user=None,
    )
    return True


def _target(zone, indicator, year, value, growth, source, note="") -> bool:
    _obj, created = Target.objects.get_or_create(
        zone=zone,
        indicator=indicator,
        year=year,
        department=None,
        defaults={
            "value": None if value is None else Decimal(value),
            "growth": None if growth is None else Decimal(growth),
            "source": source,
            "note": note,
        },
    )
    return created


def _ytd_series(total: Decimal) -> list[Decimal]:
    running, out = 0, []
    for share in SEASON:
        running += share
        out.append((total * running / 100).quantize(Decimal("1")))
    return out


def seed_ccjk(by_code) -> int:
    zone = Zone.objects.filter(code="CCJK").first()
    if zone is None:
        return 0
    count = 0
    source = f"{S004}: 过去五年全区地区生产总值分别增长7.7%、8%、5.4%、3%、5.7%"
    for year, growth in CCJK_GDP_GROWTH.items():
        count += _put(zone, by_code["gdp"], year, 12, None, growth, source)
    for code, (growth, expected, value) in CCJK_2021.items():
        count += _put(zone, by_code[code], 2021, 12, value, growth, S004)
        if expected is not None:
            count += _target(
                zone, by_code[code], 2021, None, expected, S004, note=f"年初预计增长{expected}%"
            )
    for code, value, growth, note in CCJK_2022_TARGETS:
        count += _target(zone, by_code[code], 2022, value, growth, S004, note=note)
    return count


def seed_ccgx(by_code) -> int:
    zone = Zone.objects.filter(code="CCGX").first()
    if zone is None:
        return 0
    count = 0
    for code, (base, growth_2024, growth_2025) in CCGX_SERIES.items():
        indicator = by_code[code]
        totals = {2023: Decimal(base)}
        totals[2024] = totals[2023] * (1 + Decimal(growth_2024) / 100)
        totals[2025] = totals[2024] * (1 + Decimal(growth_2025) / 100)
        for year, total in totals.items():
            last = LAST_MONTH_2025 if year == 2025 else 12
            for month, ytd in enumerate(_ytd_series(total)[:last], start=1):
                count += _put(zone, indicator, year, month, ytd)
    stock = {
        "hnte_count": [
            (2024, 12, "580", SYNTHETIC),
            (2025, 10, "631", f"{S000}: 631家高新技术企业"),
        ],
        "little_giant_count": [
            (2024, 12, "17", SYNTHETIC),
            (2025, 10, "19", f"{S000}: 19家国家级专精特新“小巨人”企业"),
        ],
    }
    for code, points in stock.items():
        for year, month, value, source in points:
            count += _put(zone, by_code[code], year, month, value, source=source)
    for code, (value, growth) in CCGX_TARGETS_2025.items():
        count += _target(zone, by_code[code], 2025, value, growth, SYNTHETIC)
    for month in range(1, LOCKED_UP_TO_2025 + 1):
        if not MonthClose.objects.filter(zone=zone, year=2025, month=month).exists():
            services.approve_month(zone=zone, year=2025, month=month, acting_user=None)
            count += 1
    return count


# The ranking (争先进位) needs siblings: 长春新区's other two zones, derived from 长春高新区's
# figures (whatever months those cover) at a smaller scale and with a month-by-month wobble of
# their own, so that their growth differs from it and ranks change from month to month.
SIBLINGS = {"CCBH": Decimal("0.35"), "CCLK": Decimal("0.22")}


def _wobble(code: str, indicator: str, year: int, month: int) -> Decimal:
    """A deterministic factor within ±6 %."""
    digest = hashlib.sha256(f"{code}/{indicator}/{year}/{month}".encode()).digest()
    return Decimal(1) + (Decimal(digest[0]) - 128) / Decimal(128) * Decimal("0.06")


def _put_derived(zone, code, scale, rows, by_code) -> int:
    """The sibling's values derived from ``rows`` in one insert (a thousand ``save_value``
    calls doubled the demo's seeding time): growth against the same month of last year as
    ``save_value`` computes it; months already there, or closed, are left alone."""
    from zoneops.core.audit.bulk import log_bulk_create

    have = {
        (i, y, m): v
        for i, y, m, v in IndicatorValue.objects.filter(zone=zone).values_list(
            "indicator_id", "year", "month", "value"
        )
    }
    closed = set(MonthClose.objects.filter(zone=zone).values_list("year", "month"))
    derived = {}
    for indicator_code, year, month, value in rows:
        key = (by_code[indicator_code].pk, year, month)
        if key not in have and (year, month) not in closed:
            wobbled = value * scale * _wobble(code, indicator_code, year, month)
            derived[key] = wobbled.quantize(Decimal(1))
    values = have | derived
    created = IndicatorValue.objects.bulk_create(
        IndicatorValue(
            zone=zone,
            indicator_id=indicator_id,
            year=year,
            month=month,
            value=value,
            yoy=services.growth(value, values.get((indicator_id, year - 1, month))),
            source=SYNTHETIC,
        )
        for (indicator_id, year, month), value in sorted(derived.items())
    )
    log_bulk_create(created)
    return len(created)


def seed_siblings(by_code) -> int:
    source = Zone.objects.filter(code="CCGX").first()
    if source is None:
        return 0
    count = 0
    codes = list(CCGX_SERIES)
    rows = IndicatorValue.objects.filter(
        zone=source, indicator__code__in=codes, value__isnull=False
    ).values_list("indicator__code", "year", "month", "value")
    targets = Target.objects.filter(
        zone=source, indicator__code__in=codes, department__isnull=True
    ).select_related("indicator")
    for code, scale in SIBLINGS.items():
        zone = Zone.objects.filter(code=code).first()
        if zone is None:
            continue
        count += _put_derived(zone, code, scale, rows, by_code)
        for target in targets:
            value = None if target.value is None else (target.value * scale).quantize(Decimal(1))
            count += _target(zone, target.indicator, target.year, value, target.growth, SYNTHETIC)
    return count


def roll_forward(by_code, today: dt.date | None = None) -> int:
    """Bring 长春高新区's series to ``today``: every finished month since the articles' last one,
    each year growing at its own synthetic rate near the article's, this year's targets as
    last year's, and the months before last approved. Idempotent; a later run adds months."""
    zone = Zone.objects.filter(code="CCGX").first()
    if zone is None:
        return 0
    today = today or timezone.localdate()
    last = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    count = 0
    for code, (base, growth_2024, growth_2025) in CCGX_SERIES.items():
        indicator = by_code[code]
        total = Decimal(base) * (1 + Decimal(growth_2024) / 100) * (1 + Decimal(growth_2025) / 100)
        for year in range(2025, last.year + 1):
            if year > 2025:
                wobble = random.Random(f"{code}-{year}").uniform(-3, 3)
                rate = Decimal(growth_2025) + Decimal(str(round(wobble, 1)))
                total = total * (1 + rate / 100)
            for month, ytd in enumerate(_ytd_series(total), start=1):
                if (year, month) > (last.year, last.month):
                    break
                count += _put(zone, indicator, year, month, ytd)
    for year in range(2026, today.year + 1):
        for code, (value, growth) in CCGX_TARGETS_2025.items():
            count += _target(zone, by_code[code], year, value, growth, SYNTHETIC)
    # Approved up to the month before last (last month's figures are still being checked).
    upto = dt.date(last.year, last.month, 1) - dt.timedelta(days=1)
    for year in range(2025, upto.year + 1):
        for month in range(1, 13):
            if (year, month) > (upto.year, upto.month):
                break
            if MonthClose.objects.filter(zone=zone, year=year, month=month).exists():
                continue
            try:
                services.approve_month(zone=zone, year=year, month=month, acting_user=None)
            except ValidationError:
                continue  # a value still needs review: the month waits, as it would
            count += 1
    return count


@transaction.atomic
def seed() -> str:
    by_code = {i.code: i for i in Indicator.objects.all()}
    created = seed_ccjk(by_code) + seed_ccgx(by_code) + roll_forward(by_code)
    created += seed_siblings(by_code)  # after the roll: they follow its months
    return f"{created} indicator records"
