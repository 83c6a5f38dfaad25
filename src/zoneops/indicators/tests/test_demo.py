from decimal import Decimal as D

from zoneops.core.models import Zone
from zoneops.core.ops.demo import seed_users, seed_zones
from zoneops.indicators import demo, selectors
from zoneops.indicators.models import IndicatorValue


def test_demo_shows_what_q4_must_deliver_and_the_seed_figures(db):
    seed_zones()
    seed_users()
    assert demo.seed() != "0 indicator records"
    count = IndicatorValue.objects.count()
    assert demo.seed() == "0 indicator records"  # idempotent
    assert IndicatorValue.objects.count() == count
    gx = Zone.objects.get(code="CCGX")
    rows = {p.code: p for p in selectors.progress(gx, 2025, 9, with_target_only=True)}
    gdp = rows["gdp"]
    assert gdp.q4_must is not None and gdp.q4_must > 0 and gdp.method == "seasonal"
    assert gdp.q4_must == gdp.gap and gdp.years_used == [2023, 2024]
    assert IndicatorValue.objects.filter(zone=gx, source__startswith="演示数据（虚构）").exists()
    jk = Zone.objects.get(code="CCJK")
    rows = {p.code: p for p in selectors.progress(jk, 2021, 12)}
    assert rows["gdp"].yoy == D("5.7")
    assert rows["industrial_output_above_scale"].growth_gap == D("4.70")  # 7.2 against 2.5
    assert rows["retail_sales_above_quota"].growth_gap == D("4.90")  # 10.9 against 6
    assert rows["services_revenue"].yoy == D("42")
    assert rows["services_value_added"].ytd == D("4690000")  # 469亿元
    growth = IndicatorValue.objects.filter(zone=jk, indicator__code="gdp").order_by("year")
    assert [(v.year, v.yoy) for v in growth] == [
        (2017, D("7.7")),
        (2018, D("8")),
        (2019, D("5.4")),
        (2020, D("3")),
        (2021, D("5.7")),
    ]
    assert all("种子文章 004" in v.source for v in growth)
