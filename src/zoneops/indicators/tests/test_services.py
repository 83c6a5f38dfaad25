"""The gap arithmetic at its edges, yoy, review flags and month locking."""

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.models import ObjectChange
from zoneops.indicators import selectors, services, sources
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target


@pytest.fixture
def gdp(db):
    return Indicator.objects.get(code="gdp")


@pytest.fixture
def hnte(db):
    return Indicator.objects.get(code="hnte_count")


def put(zone, indicator, year, month, value, **kw):
    return services.save_value(
        zone=zone,
        indicator=indicator,
        year=year,
        month=month,
        value=None if value is None else D(str(value)),
        acting_user=None,
        **kw,
    )


def by_code(rows, code):
    (row,) = [r for r in rows if r.indicator.code == code]
    return row


@pytest.fixture
def history(zone_tree, gdp):
    """GDP of 长春高新区: 2024 by quarter (20, 50, 80, 120) and 2025 to September."""
    zone = zone_tree["hitech"]
    for month, value in {3: 20, 6: 50, 9: 80, 12: 120}.items():
        put(zone, gdp, 2024, month, value)
    for month, value in {3: 22, 6: 55, 9: 90}.items():
        put(zone, gdp, 2025, month, value)
    Target.objects.create(zone=zone, indicator=gdp, year=2025, growth=D("10"))
    return zone


def test_catalog_has_the_stable_codes(db):
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {
        "gdp",
        "industrial_output_above_scale",
        "industrial_value_added",
        "fixed_asset_investment",
        "retail_sales",
        "retail_sales_above_quota",
        "services_revenue",
        "services_value_added",
        "funds_in_place",
        "import_export",
        "new_market_entities",
        "hnte_count",
        "srdi_count",
        "little_giant_count",
    } <= codes
    assert Indicator.objects.get(code="hnte_count").kind == Indicator.Kind.POINT
    assert Indicator.objects.get(code="gdp").kind == Indicator.Kind.CUMULATIVE


def test_yoy_is_computed_against_the_same_month_of_last_year(history, gdp):
    value = IndicatorValue.objects.get(zone=history, indicator=gdp, year=2025, month=9)
    assert value.yoy == D("12.50")  # 90 / 80 − 1
    assert not value.yoy_reported


def test_reported_growth_is_kept_and_not_recomputed(history, gdp):
    value = put(history, gdp, 2025, 9, 90, yoy=D("5.7"))
    assert value.yoy == D("5.7") and value.yoy_reported


def test_correcting_last_year_updates_this_years_computed_growth(history, gdp):
    put(history, gdp, 2024, 9, 75)
    value = IndicatorValue.objects.get(zone=history, indicator=gdp, year=2025, month=9)
    assert value.yoy == D("20.00")  # 90 / 75 − 1


def test_q4_must_deliver_after_september(history, gdp):
    p = by_code(selectors.progress(history, 2025, 9), "gdp")
    assert p.target == D("132.00") and p.target_basis == "growth"  # 120 × 1.10
    assert p.ytd == D("90") and p.yoy == D("12.50")
    assert p.completion == D("68.18")  # 90 / 132
    assert p.elapsed == D("75.00")
    assert p.lag == D("-6.82") and p.light == "red"
    assert p.gap == D("42.00")
    assert p.q4_must == D("42.00")
    assert p.per_month_needed == D("14.00")
    assert p.rest_growth_needed == D("5.00")  # 42 against last year's Q4 of 40
    assert p.remaining_months == 3


def test_mid_year_gap_is_split_by_last_years_seasonal_shares(history, gdp):
    p = by_code(selectors.progress(history, 2025, 6), "gdp")
    assert p.gap == D("77.00")  # 132 − 55
    assert p.method == "seasonal" and p.years_used == [2024]
    # 2024 after June: Q3 30, Q4 40 of 70.
    assert p.quarter_must == [
        {"quarter": 3, "months": [7, 8, 9], "value": D("33.00")},
        {"quarter": 4, "months": [10, 11, 12], "value": D("44.00")},
    ]
    assert p.q4_must == D("44.00")


def test_without_history_the_gap_is_split_evenly(zone_tree, gdp):
    zone = zone_tree["econ"]
    put(zone, gdp, 2025, 6, 60)
    Target.objects.create(zone=zone, indicator=gdp, year=2025, value=D("120"))
    p = by_code(selectors.progress(zone, 2025, 6), "gdp")
    assert p.method == "even" and p.years_used == []
    assert [q["value"] for q in p.quarter_must] == [D("30.00"), D("30.00")]
    assert p.completion == D("50.00") and p.light == "green"  # exactly on 序时进度
    assert p.rest_growth_needed is None  # no last year to compare with


def test_latest_month_is_used_when_the_asked_one_is_missing(history, gdp):
    p = by_code(selectors.progress(history, 2025, 11), "gdp")
    assert p.as_of_month == 9 and p.ytd == D("90")
    assert p.q4_must == D("42.00")


def test_cumulative_restarts_in_january(history, gdp):
    put(history, gdp, 2025, 12, 140)
    Target.objects.create(zone=history, indicator=gdp, year=2026, value=D("150"))
    # Nothing reported for 2026 yet: December 2025 does not count towards 2026.
    p = by_code(selectors.progress(history, 2026, 1), "gdp")
    assert p.ytd is None and p.as_of_month is None
    assert p.gap == D("150.00")
    assert p.last_year_total == D("140")
    # January's ytd is below December's: a new year, not a shrinking value.
    january = put(history, gdp, 2026, 1, 12)
    assert not january.needs_review
    p = by_code(selectors.progress(history, 2026, 1), "gdp")
    assert p.ytd == D("12") and p.completion == D("8.00")
    assert p.elapsed == D("8.33")
    assert p.gap == D("138.00") and p.remaining_months == 11


def test_december_closes_the_year(history, gdp):
    put(history, gdp, 2025, 12, 135)
    p = by_code(selectors.progress(history, 2025, 12), "gdp")
    assert p.elapsed == D("100.00")
    assert p.gap == D("-3.00") and p.light == "green"  # 3 beyond the target
    assert p.per_month_needed is None and p.q4_must is None and p.quarter_must == []


def test_point_in_time_indicator_measures_the_planned_increase(zone_tree, hnte):
    zone = zone_tree["hitech"]
    put(zone, hnte, 2024, 12, 600)
    put(zone, hnte, 2025, 9, 631)
    Target.objects.create(zone=zone, indicator=hnte, year=2025, value=D("700"))
    p = by_code(selectors.progress(zone, 2025, 9), "hnte_count")
    assert p.completion == D("31.00")  # 31 of the planned 100 more
    assert p.light == "red"
    assert p.gap == D("69.00") and p.q4_must == D("69.00") and p.per_month_needed == D("23.00")
    assert p.rest_growth_needed == D("10.94")  # 700 / 631 − 1 = 10.935…
    assert p.method == "even"


def test_point_in_time_without_last_year_uses_the_value(zone_tree, hnte):
    zone = zone_tree["hitech"]
    put(zone, hnte, 2025, 6, 350)
    Target.objects.create(zone=zone, indicator=hnte, year=2025, value=D("700"))
    p = by_code(selectors.progress(zone, 2025, 6), "hnte_count")
    assert p.completion == D("50.00") and p.light == "green"


def test_growth_target_without_last_year_has_no_value(zone_tree, gdp):
    zone = zone_tree["econ"]
    put(zone, gdp, 2025, 9, 90)
    Target.objects.create(zone=zone, indicator=gdp, year=2025, growth=D("6"))
    p = by_code(selectors.progress(zone, 2025, 9), "gdp")
    assert p.target is None and p.target_growth == D("6") and p.light is None


def test_growth_only_values_compare_with_target_growth(zone_tree, gdp):
    zone = zone_tree["econ"]
    put(zone, gdp, 2021, 12, None, yoy=D("7.2"))
    Target.objects.create(zone=zone, indicator=gdp, year=2021, growth=D("2.5"))
    p = by_code(selectors.progress(zone, 2021, 12), "gdp")
    assert p.yoy == D("7.2") and p.growth_gap == D("4.70")


def test_shrinking_cumulative_value_is_flagged_not_refused(history, gdp):
    value = put(history, gdp, 2025, 10, 85)
    assert value.needs_review and "2025-09" in value.review_note


def test_implausible_growth_is_flagged_against_learnt_history(zone_tree, gdp):
    zone = zone_tree["econ"]
    for year in range(2018, 2025):
        put(zone, gdp, year, 12, None, yoy=D("6"))
    assert services.plausible_yoy_range(gdp, zone, 2025) == (D("-4.00"), D("16.00"))
    assert put(zone, gdp, 2025, 12, None, yoy=D("35")).needs_review
    assert not put(zone, gdp, 2025, 11, None, yoy=D("8")).needs_review


def test_approved_month_is_locked_until_the_staff_reopen_it(history, gdp, users):
    staff, admin = users["staff"], users["admin"]
    services.approve_month(zone=history, year=2025, month=9, acting_user=staff)
    with pytest.raises(ValidationError, match="锁定|locked"):
        put(history, gdp, 2025, 9, 91)
    with pytest.raises(ValidationError):
        services.approve_month(zone=history, year=2025, month=9, acting_user=staff)
    with pytest.raises(PermissionDenied):  # 三员分立: no data decision for the administrator
        services.reopen_month(zone=history, year=2025, month=9, reason="更正", acting_user=admin)
    with pytest.raises(ValidationError):
        services.reopen_month(zone=history, year=2025, month=9, reason=" ", acting_user=staff)
    close = services.reopen_month(
        zone=history, year=2025, month=9, reason="统计局反馈更正", acting_user=staff
    )
    assert not close.is_locked and close.reopened_by == staff
    assert put(history, gdp, 2025, 9, 91).value == D("91")
    reopening = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(MonthClose), object_id=close.pk
    ).latest("pk")
    assert reopening.changes["reopen_reason"]["after"] == "统计局反馈更正"
    assert reopening.changes["is_locked"] == {"before": True, "after": False}


def test_other_zones_staff_cannot_write_or_approve(history, gdp, users):
    other = users["other_staff"]
    with pytest.raises(PermissionDenied):
        services.save_value(
            zone=history, indicator=gdp, year=2025, month=9, value=D(1), acting_user=other
        )
    with pytest.raises(PermissionDenied):
        services.approve_month(zone=history, year=2025, month=9, acting_user=other)
    with pytest.raises(PermissionDenied):
        services.approve_month(zone=history, year=2025, month=9, acting_user=users["leader"])


def test_flagged_values_block_approval_until_checked(history, gdp, users):
    value = put(history, gdp, 2025, 10, 85)
    with pytest.raises(ValidationError):
        services.approve_month(zone=history, year=2025, month=10, acting_user=users["staff"])
    services.mark_reviewed(value, note="口径调整", acting_user=users["staff"])
    services.approve_month(zone=history, year=2025, month=10, acting_user=users["staff"])


def test_ranking_orders_zones_by_growth(history, zone_tree, gdp):
    econ = zone_tree["econ"]
    put(econ, gdp, 2024, 9, 100)
    put(econ, gdp, 2025, 9, 105)
    ranked = selectors.ranking([econ, history, zone_tree["beihu"]], gdp, 2025, 9)
    assert [(e["zone"], e["rank"]) for e in ranked] == [
        (history, 1),
        (econ, 2),
        (zone_tree["beihu"], None),
    ]


def test_decomposition_short_of_the_whole_is_reported(zone_tree, gdp):
    hitech, park = zone_tree["hitech"], zone_tree["park"]
    Target.objects.create(zone=hitech, indicator=gdp, year=2025, value=D("100"))
    Target.objects.create(zone=park, indicator=gdp, year=2025, value=D("60"))
    result = selectors.decomposition(hitech, gdp, 2025)
    assert result["children_sum"] == D("60") and result["problems"]


def test_progress_for_many_zones_takes_a_fixed_number_of_queries(
    history, zone_tree, django_assert_max_num_queries
):
    zones = list(zone_tree.values())
    with django_assert_max_num_queries(4):
        result = selectors.progress_for_zones(zones, 2025, 9)
    assert len(result) == len(zones)


def test_computed_sources_registry(zone_tree, users):
    indicator = Indicator.objects.get(code="srdi_count")
    previous = sources.computation_for(indicator)

    @sources.register("counted", "srdi_count")
    def count(indicator, zone, year, month):
        return D(19)

    try:
        saved = services.recompute(
            zone=zone_tree["hitech"],
            year=2025,
            month=9,
            acting_user=users["staff"],
            codes=["srdi_count"],
        )
    finally:
        sources.unregister("counted", "srdi_count")
        if previous is not None:
            sources.register("counted", "srdi_count")(previous)
    assert [v.indicator for v in saved] == [indicator]
    assert saved[0].value == D(19) and saved[0].source in ("computed: Counted", "自动计算：计数")


def test_hnte_count_is_counted_from_valid_certifications(zone_tree):
    """Wired to the enterprises app (installed with the product)."""
    import datetime as dt

    from django.apps import apps

    indicator = Indicator.objects.get(code="hnte_count")
    assert sources.computation_for(indicator) is not None, "not wired to the certifications"
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Certification = apps.get_model("enterprises", "Certification")
    valid, expired = (
        Enterprise.objects.create(uscc=uscc, name=name, zone=zone_tree["park"])
        for uscc, name in (("91220101MA0Y3L8X1F", "甲公司"), ("91220101MA0Y3L8X2D", "乙公司"))
    )
    Certification.objects.create(
        enterprise=valid, kind="hnte", level="national", issued_on=dt.date(2024, 1, 1)
    )
    Certification.objects.create(
        enterprise=expired,
        kind="hnte",
        level="national",
        issued_on=dt.date(2021, 1, 1),
        expires_on=dt.date(2023, 12, 31),
    )
    assert sources.compute(indicator, zone_tree["hitech"], 2025, 9) == D(1)
