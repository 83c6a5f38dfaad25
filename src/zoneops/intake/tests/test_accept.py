"""Accepting a statement writes the target, indicator value or campaign goal it maps to."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.models import Zone
from zoneops.indicators import services as indicator_services
from zoneops.indicators.models import IndicatorValue, Target
from zoneops.intake import apply, services
from zoneops.intake.models import Statement
from zoneops.tasks.models import Campaign, Goal

FIXTURES = Path(__file__).resolve().parent / "fixtures"
S = Statement.State
O = Statement.Outcome  # noqa: E741


@pytest.fixture
def seed_zones(zone_tree):
    """The zones seeds 002 and 004 are about, by their demo codes."""
    K = Zone.Kind
    province = zone_tree["province"]
    return {
        "JLGX": Zone.objects.create(
            code="JLGX", name="吉林高新区", kind=K.HI_TECH_ZONE, parent=province
        ),
        "CCJK": Zone.objects.create(
            code="CCJK", name="长春经开区", kind=K.ECON_DEV_ZONE, parent=zone_tree["city"]
        ),
    }


@pytest.fixture
def reviewer(make_user, seed_zones, zone_tree):
    from zoneops.core.models import Role

    return make_user(
        "reviewer",
        Role.STAFF,
        [seed_zones["JLGX"], seed_zones["CCJK"], zone_tree["new_area"]],
    )


def register_seed(name, zone, user):
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    return services.register_document(acting_user=user, zone=zone, text=text, headed=True)[0]


def register_text(zone, user, text, *, title="工作报告", date=dt.date(2024, 3, 1)):
    return services.register_document(
        acting_user=user, zone=zone, text=text, title=title, date=date
    )[0]


@pytest.fixture
def seed_002(seed_zones, reviewer):
    return register_seed("02", seed_zones["JLGX"], reviewer)


@pytest.fixture
def seed_004(seed_zones, reviewer):
    return register_seed("04", seed_zones["CCJK"], reviewer)


def funds(document):
    return document.statements.get(indicator="funds_in_place")


def written_counts():
    return (Target.objects.count(), IndicatorValue.objects.count(), Goal.objects.count())


# Targets --------------------------------------------------------------------------------------


def test_seed_002_funds_in_place_becomes_the_zones_target(seed_002, seed_zones, reviewer):
    statement = funds(seed_002)
    assert (statement.value, statement.unit, statement.growth_pct) == (1160000, "万元", 10)
    services.accept(statement, acting_user=reviewer)

    target = Target.objects.get()
    assert (target.zone, target.indicator.code, target.year) == (
        seed_zones["JLGX"],
        "funds_in_place",
        2024,
    )
    assert target.department is None
    assert (target.value, target.growth) == (Decimal("1160000.00"), Decimal("10.00"))
    assert "116亿元" in target.note
    # The link back to the sentence, both ways.
    statement.refresh_from_db()
    assert statement.state == S.ACCEPTED and statement.outcome == O.TARGET
    assert statement.target == target and statement.written == target
    assert list(target.intake_statements.all()) == [statement]
    assert f"#{statement.pk}" in target.source
    assert not IndicatorValue.objects.exists()


def test_seed_002_figures_outside_the_catalog_stay_reviewed_facts(seed_002, reviewer):
    for code in ("annual_planned_investment", "signed_project_count", "project_count"):
        statement = seed_002.statements.filter(indicator=code).first()
        plan = apply.plan(statement)
        services.accept(statement, acting_user=reviewer)
        statement.refresh_from_db()
        if code == "signed_project_count":
            # 签约落地项目 is the catalog's signed_projects (an alias in data/catalog.yaml).
            assert plan.outcome == O.TARGET
            assert statement.target.indicator.code == "signed_projects"
            assert statement.target.value == 30
        else:
            assert plan.outcome == O.FACT and plan.reason and not plan.rows()
            assert statement.outcome == O.FACT and statement.written is None
    assert Target.objects.count() == 1


def test_a_growth_only_target_keeps_the_value_already_set(seed_004, seed_zones, reviewer):
    zone = seed_zones["CCJK"]
    planned = seed_004.statements.get(indicator="industrial_output_above_scale", growth_pct=2.5)
    # 由预计的2.5%提高到7.2%: the 2.5% is an estimate; the reviewer takes it as the target.
    assert planned.kind == "estimate" and planned.period == "2021"
    with pytest.raises(ValidationError):
        services.accept(planned, acting_user=reviewer)
    services.correct(planned, acting_user=reviewer, kind="target")
    target = Target.objects.get(zone=zone, indicator__code="industrial_output_above_scale")
    assert (target.year, target.value, target.growth) == (2021, None, Decimal("2.5"))

    again = register_text(
        zone, reviewer, "2021年全区规上工业总产值目标为800亿元。", date=dt.date(2021, 1, 10)
    ).statements.get()
    services.accept(again, acting_user=reviewer)
    target.refresh_from_db()
    assert (target.value, target.growth) == (Decimal("8000000.00"), Decimal("2.5"))
    assert Target.objects.count() == 1


# Indicator values -----------------------------------------------------------------------------


def test_seed_004_gdp_growth_rates_become_actual_yoy_values(seed_004, seed_zones, reviewer):
    growth = {2017: "7.7", 2018: "8", 2019: "5.4", 2020: "3", 2021: "5.7"}
    for statement in seed_004.statements.filter(indicator="gdp"):
        services.accept(statement, acting_user=reviewer)
    values = IndicatorValue.objects.filter(zone=seed_zones["CCJK"], indicator__code="gdp")
    assert {v.year: v.yoy for v in values} == {y: Decimal(g) for y, g in growth.items()}
    for value in values:
        assert value.month == 12  # a whole year's figure is December's year to date
        assert value.value is None and value.yoy_reported
        assert value.intake_statements.get().outcome == O.VALUE
    assert not Target.objects.exists()


def test_seed_004_money_actual_is_converted_to_wan_yuan(seed_004, seed_zones, reviewer):
    statement = seed_004.statements.get(indicator="services_value_added")
    # 469亿元 in 2021; the 9% the reader attached is a five-year average: corrected away.
    services.correct(statement, acting_user=reviewer, growth_pct=None)
    value = IndicatorValue.objects.get()
    assert (value.zone, value.indicator.code, value.year, value.month) == (
        seed_zones["CCJK"],
        "services_value_added",
        2021,
        12,
    )
    assert value.value == Decimal("4690000.00") and value.yoy is None


def test_seed_004_relative_and_range_figures_write_nothing(seed_004, reviewer):
    points = seed_004.statements.get(indicator="industrial_output_above_scale", unit="百分点",
                                     value=5)  # fmt: skip
    times = seed_004.statements.get(indicator="hnte_count", unit="倍")
    entities = seed_004.statements.get(indicator="new_market_entities")  # 2018-2022
    for statement in (points, times, entities):
        plan = apply.plan(statement)
        assert plan.outcome == O.FACT, statement
        services.accept(statement, acting_user=reviewer)
    assert written_counts() == (0, 0, 0)


def test_a_year_to_date_period_gives_its_month(seed_zones, reviewer):
    document = register_text(
        seed_zones["CCJK"],
        reviewer,
        "前三季度,全区地区生产总值实现600亿元,同比增长6.1%。",
        date=dt.date(2025, 10, 20),
    )
    statement = document.statements.get(value__isnull=False)
    assert statement.period == "2025Q1-Q3"
    services.accept(statement, acting_user=reviewer)
    value = IndicatorValue.objects.get()
    assert (value.year, value.month, value.value, value.yoy) == (
        2025,
        9,
        Decimal("6000000.00"),
        Decimal("6.10"),
    )


def test_a_stock_named_before_the_year_is_over_is_that_months(seed_zones, reviewer):
    document = register_text(
        seed_zones["JLGX"], reviewer, "目前拥有高新技术企业215家。", date=dt.date(2024, 6, 5)
    )
    statement = document.statements.get()
    plan = apply.plan(statement)
    assert (plan.outcome, plan.year, plan.month) == (O.VALUE, 2024, 6)
    services.accept(statement, acting_user=reviewer)
    assert IndicatorValue.objects.get().month == 6


def test_a_locked_month_is_refused_and_nothing_changes(seed_004, seed_zones, reviewer):
    zone = seed_zones["CCJK"]
    indicator_services.approve_month(zone=zone, year=2021, month=12, acting_user=None)
    statement = seed_004.statements.get(indicator="gdp", period="2021")
    plan = apply.plan(statement)
    assert plan.locked and not plan.can_accept
    with pytest.raises(ValidationError) as error:
        services.accept(statement, acting_user=reviewer)
    assert error.value.code == "locked" and "2021-12" in error.value.messages[0]
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED and statement.outcome == ""
    assert statement.reviewed_by is None and statement.indicator_value is None
    assert not IndicatorValue.objects.exists()
    # Correcting does not get round the lock either.
    with pytest.raises(ValidationError):
        services.correct(statement, acting_user=reviewer, growth_pct=Decimal("5.8"))
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED and statement.growth_pct == Decimal("5.7")
    # Another year is not locked.
    services.accept(seed_004.statements.get(indicator="gdp", period="2020"), acting_user=reviewer)
    assert IndicatorValue.objects.get().year == 2020


# Reject, correct, twice, contradictions -------------------------------------------------------


def test_reject_writes_nothing(seed_002, reviewer):
    for statement in seed_002.statements.all():
        services.reject(statement, acting_user=reviewer)
    assert written_counts() == (0, 0, 0)
    assert not seed_002.statements.exclude(outcome="").exists()


def test_correct_then_accept_writes_the_corrected_value(seed_002, reviewer):
    statement = funds(seed_002)
    services.correct(statement, acting_user=reviewer, value=Decimal(120), unit="亿元")
    target = Target.objects.get()
    assert (target.value, target.growth) == (Decimal("1200000.00"), Decimal("10.00"))
    statement.refresh_from_db()
    assert statement.state == S.CORRECTED and statement.target == target
    assert statement.proposed_data["value"] == 1160000


def test_accepting_twice_does_not_duplicate(seed_002, seed_zones, reviewer):
    statement = funds(seed_002)
    services.accept(statement, acting_user=reviewer)
    with pytest.raises(ValidationError):
        services.accept(statement, acting_user=reviewer)
    # The same figure from another article updates the same target and links to it too.
    other = register_text(
        seed_zones["JLGX"], reviewer, "2024年力争完成招商引资到位资金116亿元,增长10%。",
        title="另一篇报道",
    ).statements.get()  # fmt: skip
    plan = apply.plan(other)
    assert plan.outcome == O.TARGET and plan.existing is not None and plan.unchanged
    services.accept(other, acting_user=reviewer)
    target = Target.objects.get()
    assert (target.value, target.growth) == (Decimal("1160000.00"), Decimal("10.00"))
    assert target.intake_statements.count() == 2


def test_a_contradicting_figure_stays_flagged_until_confirmed(seed_002, seed_zones, reviewer):
    services.accept(funds(seed_002), acting_user=reviewer)
    other = register_text(
        seed_zones["JLGX"], reviewer, "2024年力争完成招商引资到位资金120亿元。", title="另一篇"
    ).statements.get()
    assert other.conflicts_with == funds(seed_002)
    with pytest.raises(ValidationError) as error:
        services.accept(other, acting_user=reviewer)
    assert error.value.code == "contradiction"
    other.refresh_from_db()
    assert other.state == S.PROPOSED and other.conflicts_with is not None
    assert Target.objects.get().value == Decimal("1160000.00")
    with pytest.raises(ValidationError) as error:  # the target is not replaced silently
        services.accept(other, acting_user=reviewer, replace=True)
    assert error.value.code == "replaces_target"
    services.accept(other, acting_user=reviewer, replace=True, replace_target=True)
    target = Target.objects.get()
    assert (target.value, target.growth) == (Decimal("1200000.00"), Decimal("10.00"))


def test_an_entered_target_is_replaced_only_by_explicit_choice(
    seed_002, seed_zones, reviewer, client_for
):
    from zoneops.indicators.models import Indicator

    statement = funds(seed_002)
    plan = apply.plan(statement)
    entered = Target.objects.create(
        zone=plan.zone, indicator=plan.indicator, year=plan.year, value=Decimal("1000000")
    )
    with pytest.raises(ValidationError) as error:
        services.accept(statement, acting_user=reviewer)
    assert error.value.code == "replaces_target"
    message = error.value.messages[0]
    assert "1,000,000" in message and "1,160,000" in message  # old and new side by side
    entered.refresh_from_db()
    assert entered.value == Decimal("1000000.00")
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED
    page = client_for(reviewer).get(statement.get_absolute_url()).content.decode()
    assert 'id="replace-target"' in page
    response = client_for(reviewer).post(
        statement.get_absolute_url(), {"action": "accept", "kind": statement.kind}
    )
    entered.refresh_from_db()
    assert entered.value == Decimal("1000000.00") and response.status_code == 302
    services.accept(statement, acting_user=reviewer, replace_target=True)
    entered.refresh_from_db()
    assert entered.value == Decimal("1160000.00")
    assert Indicator.objects.filter(pk=entered.indicator_id).exists()


def test_unmapped_figures_are_rejected_or_corrected_to_a_catalog_indicator(seed_zones, reviewer):
    document = register_text(seed_zones["JLGX"], reviewer, "今年力争实现跨境电商交易额12亿元。")
    statement = document.statements.get()
    assert statement.indicator == ""
    assert apply.plan(statement).blocked
    with pytest.raises(ValidationError):
        services.accept(statement, acting_user=reviewer)
    with pytest.raises(ValidationError):
        services.correct(statement, acting_user=reviewer, indicator="cross_border_trade")
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED
    services.correct(statement, acting_user=reviewer, indicator="import_export")
    target = Target.objects.get()
    assert (target.indicator.code, target.year, target.value) == (
        "import_export",
        2024,
        Decimal("120000.00"),
    )


def test_an_incompatible_unit_must_be_corrected(seed_002, reviewer):
    statement = funds(seed_002)
    wrong = services.corrected_copy(statement, {"value": Decimal(30), "unit": "个"})
    assert apply.plan(wrong).blocked
    with pytest.raises(ValidationError):
        services.correct(statement, acting_user=reviewer, value=Decimal(30), unit="个")
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED and statement.value == 1160000
    assert not Target.objects.exists()


def test_another_zones_reviewer_cannot_write(seed_002, users):
    with pytest.raises(PermissionDenied):
        services.accept(funds(seed_002), acting_user=users["other_staff"])
    assert not Target.objects.exists()


# Campaign goals -------------------------------------------------------------------------------


@pytest.fixture
def campaign_515(zone_tree):
    campaign = Campaign.objects.create(
        zone=zone_tree["new_area"],
        name="十大工程",
        kind=Campaign.Kind.PROGRAMME,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
    )
    for order, name in enumerate(
        ["高能级平台（“515”创新裂变目标）", "标志性成果（“515”创新裂变目标）"]
    ):
        Goal.objects.create(campaign=campaign, name=name, unit="个", sort_order=order)
    return campaign


def test_seed_001_counts_go_to_the_campaign_goal_that_names_them(zone_tree, reviewer, campaign_515):
    document = register_seed("01", zone_tree["new_area"], reviewer)
    platforms = document.statements.get(measure="高能级平台")
    results = document.statements.get(measure="标志性成果")
    for statement in (platforms, results):
        assert apply.plan(statement).outcome == O.GOAL
        services.accept(statement, acting_user=reviewer)
    goals = {g.name[:5]: g for g in campaign_515.goals.all()}
    assert goals["高能级平台"].target_value == 50 and goals["标志性成果"].target_value == 100
    platforms.refresh_from_db()
    assert platforms.goal == goals["高能级平台"] and platforms.outcome == O.GOAL
    # An actual count sets what the goal has achieved so far.
    done = register_text(
        zone_tree["new_area"], reviewer, "今年已建成高能级平台12个。", date=dt.date(2024, 7, 1)
    ).statements.get()
    services.accept(done, acting_user=reviewer)
    goal = Goal.objects.get(pk=goals["高能级平台"].pk)
    assert (goal.target_value, goal.achieved) == (50, 12)
    assert not Target.objects.exists() and not IndicatorValue.objects.exists()


def test_a_count_without_a_matching_goal_keeps_the_fact_only(zone_tree, reviewer, campaign_515):
    statement = register_text(
        zone_tree["new_area"], reviewer, "2025年计划建设高能级平台60个。"
    ).statements.get()  # the campaign ran in 2024
    plan = apply.plan(statement)
    assert plan.outcome == O.FACT
    services.accept(statement, acting_user=reviewer)
    assert Goal.objects.get(name__startswith="高能级平台").target_value is None


# The review page ------------------------------------------------------------------------------


def test_the_page_shows_what_accepting_will_write(client_for, seed_002, reviewer):
    client = client_for(reviewer)
    statement = funds(seed_002)
    page = client.get(statement.get_absolute_url()).content.decode()
    plan = page.split('id="intake-plan"', 1)[1].split("</div>", 1)[0]
    expected = ("招商引资到位资金", "funds_in_place", "吉林高新区", "2024", "1,160,000 万元", "10")
    for text in expected:
        assert text in plan, text
    assert not Target.objects.exists()

    response = client.post(statement.get_absolute_url(), {"action": "accept", "kind": "target"})
    assert response.status_code == 302
    assert Target.objects.get().value == Decimal("1160000.00")
    page = client.get(statement.get_absolute_url()).content.decode()
    assert 'id="intake-written"' in page and Target.objects.get().get_absolute_url() in page


def test_the_page_previews_a_correction_without_writing(client_for, seed_002, reviewer):
    client = client_for(reviewer)
    statement = funds(seed_002)
    data = {"action": "preview", "kind": "target", "value": "120", "unit": "亿元",
            "growth_pct": "10", "indicator": "funds_in_place", "subject": "吉林高新区",
            "period": "2024"}  # fmt: skip
    page = client.post(statement.get_absolute_url(), data).content.decode()
    assert "1,200,000 万元" in page.split('id="intake-plan"', 1)[1]
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED and not Target.objects.exists()
    client.post(statement.get_absolute_url(), data | {"action": "correct"})
    assert Target.objects.get().value == Decimal("1200000.00")


def test_the_page_says_when_only_the_fact_is_kept(client_for, seed_002, reviewer):
    client = client_for(reviewer)
    statement = seed_002.statements.get(indicator="annual_planned_investment")
    page = client.get(statement.get_absolute_url()).content.decode()
    assert "intake-plan" in page and apply.plan(statement).reason in page


def test_the_page_refuses_a_locked_month(client_for, seed_004, seed_zones, reviewer):
    indicator_services.approve_month(zone=seed_zones["CCJK"], year=2021, month=12, acting_user=None)
    client = client_for(reviewer)
    statement = seed_004.statements.get(indicator="gdp", period="2021")
    page = client.get(statement.get_absolute_url()).content.decode()
    assert 'value="accept" disabled' in page
    client.post(statement.get_absolute_url(), {"action": "accept", "kind": "actual"})
    statement.refresh_from_db()
    assert statement.state == S.PROPOSED and not IndicatorValue.objects.exists()


# Units and periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "to", "expected"),
    [
        ("116", "亿元", "万元", "1160000"),
        ("35000", "元", "万元", "3.5"),
        ("2.5", "万户", "户", "25000"),
        ("631", "家", "个", "631"),
        ("12", "%", "%", "12"),
    ],
)
def test_convert(value, unit, to, expected):
    assert apply.convert(Decimal(value), unit, to) == Decimal(expected)


@pytest.mark.parametrize(
    ("unit", "to"), [("%", "万元"), ("个", "万元"), ("万元", "家"), ("吨", "个")]
)
def test_convert_refuses_what_does_not_fit(unit, to):
    with pytest.raises(apply.Incompatible):
        apply.convert(Decimal(1), unit, to)


@pytest.mark.parametrize(
    ("text", "year", "month", "part", "years"),
    [
        ("2024", 2024, None, "", (2024,)),
        ("2025Q1-Q3", 2025, 9, "", (2025,)),
        ("2025H1", 2025, 6, "", (2025,)),
        ("2025Q4", 2025, None, "Q4", (2025,)),
        ("2025-09", 2025, 9, "", (2025,)),
        ("2018-2022", None, None, "", (2018, 2019, 2020, 2021, 2022)),
        ("", None, None, "", ()),
    ],
)
def test_parse_period(text, year, month, part, years):
    period = apply.parse_period(text)
    assert (period.year, period.month, period.part, period.years) == (year, month, part, years)


def test_the_page_asks_to_confirm_a_contradicting_figure(
    client_for, seed_002, seed_zones, reviewer
):
    services.accept(funds(seed_002), acting_user=reviewer)
    other = register_text(
        seed_zones["JLGX"], reviewer, "2024年力争完成招商引资到位资金120亿元。", title="另一篇"
    ).statements.get()
    client = client_for(reviewer)
    page = client.get(other.get_absolute_url()).content.decode()
    assert 'id="intake-conflict"' in page and 'name="replace"' in page
    client.post(other.get_absolute_url(), {"action": "accept", "kind": "target"})
    other.refresh_from_db()
    assert other.state == S.PROPOSED and Target.objects.get().value == Decimal("1160000.00")
    assert 'id="replace-target"' in page  # the entered target is replaced only by choice
    client.post(other.get_absolute_url(), {"action": "accept", "kind": "target", "replace": "on"})
    other.refresh_from_db()
    assert other.state == S.PROPOSED and Target.objects.get().value == Decimal("1160000.00")
    client.post(
        other.get_absolute_url(),
        {"action": "accept", "kind": "target", "replace": "on", "replace_target": "on"},
    )
    other.refresh_from_db()
    assert other.state == S.ACCEPTED and Target.objects.get().value == Decimal("1200000.00")
    # A statement nothing contradicts shows no such box.
    fresh = seed_002.statements.filter(state=S.PROPOSED).first()
    assert 'name="replace"' not in client.get(fresh.get_absolute_url()).content.decode()
