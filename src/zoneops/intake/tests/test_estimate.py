"""An estimate (预计…) is its own kind: never written as an actual or a target by itself."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zoneops.indicators.models import IndicatorValue, Target
from zoneops.intake import apply, services
from zoneops.intake.models import Statement

K = Statement.Kind
TEXT = (
    "2023年,长春高新区预计完成固定资产投资341亿元,一般公共预算收入53.5亿元。"
    "规上工业增加值完成343.64亿元,同比增长4.3%。"
    "2024年力争实现固定资产投资增长10%。"
)


@pytest.fixture
def document(zone_tree, users):
    return services.register_document(
        acting_user=users["staff"],
        zone=zone_tree["hitech"],
        text=TEXT,
        title="工作报告",
        date=dt.date(2024, 1, 30),
    )[0]


def test_statements_carry_estimate_actual_and_target(document):
    kinds = [(s.indicator, s.value, s.growth_pct, s.kind) for s in document.statements.all()]
    assert kinds == [
        ("fixed_asset_investment", 3410000, None, K.ESTIMATE),
        ("fiscal_revenue", 535000, None, K.ESTIMATE),
        ("industrial_value_added", 3436400, Decimal("4.3"), K.ACTUAL),
        ("fixed_asset_investment", None, 10, K.TARGET),
    ]


def test_an_estimate_is_not_accepted_as_it_stands(document, users):
    statement = document.statements.get(indicator="fixed_asset_investment", kind=K.ESTIMATE)
    plan = apply.plan(statement)
    assert plan.blocked and "预计" in plan.reason
    # The page says what each choice would write.
    assert len(plan.notes) == 2
    with pytest.raises(ValidationError):
        services.accept(statement, acting_user=users["staff"])
    statement.refresh_from_db()
    assert statement.state == Statement.State.PROPOSED
    assert not Target.objects.exists() and not IndicatorValue.objects.exists()
    with pytest.raises(ValidationError):
        services.correct(statement, acting_user=users["staff"], kind=K.ESTIMATE)


def test_the_reviewer_chooses_actual_or_target(document, users):
    estimate = document.statements.get(indicator="fixed_asset_investment", kind=K.ESTIMATE)
    services.correct(estimate, acting_user=users["staff"], kind=K.ACTUAL, note="统计局已确认")
    estimate.refresh_from_db()
    assert estimate.state == Statement.State.CORRECTED
    assert estimate.proposed_data["kind"] == K.ESTIMATE
    value = estimate.indicator_value
    assert (value.year, value.value) == (2023, 3410000)

    revenue = document.statements.get(indicator="fiscal_revenue")
    services.correct(revenue, acting_user=users["staff"], kind=K.TARGET)
    revenue.refresh_from_db()
    assert (revenue.target.year, revenue.target.value) == (2023, 535000)


def test_review_page_shows_the_estimate_and_both_choices(client_for, users, document):
    statement = document.statements.get(indicator="fixed_asset_investment", kind=K.ESTIMATE)
    page = client_for(users["staff"]).get(statement.get_absolute_url()).content.decode()
    assert "预计" in page
    accept = page.split('value="accept"', 1)[1].split(">", 1)[0]
    assert "disabled" in accept
    assert page.count("alert-danger") >= 1 and "<details open" in page
    assert '<option value="estimate" selected>' in page
