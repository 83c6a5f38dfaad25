"""The five seed articles against the statements written out by hand in ``fixtures/``."""

import json
from pathlib import Path

import pytest

from zoneops.intake import evaluation, pipeline

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def propose(name: str) -> list[dict]:
    return pipeline.propose(str(FIXTURES / f"{name}.txt"), headed=True)


@pytest.fixture(scope="module")
def proposals():
    return {name: propose(name) for name in ("00", "01", "02", "03", "04")}


def find(statements, *, value=None, unit=None, growth=None, sentence=""):
    """The statements with this figure (money compared in 万元) read from a clause like this."""
    found = []
    for s in statements:
        if sentence and sentence not in s["sentence"]:
            continue
        if value is not None:
            got = evaluation.normalise_quantity(s["value"], s["unit"])
            want = evaluation.normalise_quantity(value, unit)
            if s["value"] is None or got[1] != want[1] or abs(got[0] - want[0]) > 0.01:
                continue
        if growth is not None and s["growth_pct"] != growth:
            continue
        found.append(s)
    assert found, f"no statement {value} {unit} growth {growth} in «{sentence}»"
    return found[0]


def test_scores_over_the_five_articles():
    total, per_case = evaluation.evaluate(
        FIXTURES, lambda path: pipeline.propose(str(path), headed=True)
    )
    assert total.expected == 76
    # Measured: precision 1.000, recall 1.000, kind accuracy 0.987 (the issue asks 0.95 / 0.90).
    assert total.precision >= 0.99
    assert total.recall >= 0.99
    assert total.kind_accuracy >= 0.95
    for name, result in per_case.items():
        assert result.recall >= 0.9, (name, result.missed)


def test_every_fixture_is_well_formed():
    keys = {"sentence", "subject", "indicator", "value", "unit", "growth_pct", "period", "kind"}
    for path in sorted(FIXTURES.glob("*.json")):
        items = json.loads(path.read_text(encoding="utf-8"))
        assert items
        for item in items:
            assert keys <= set(item), path
            assert item["kind"] in ("target", "actual", "estimate")
            assert (item["value"] is None) == (item["unit"] is None)
            assert item["value"] is not None or item["growth_pct"] is not None


def test_002_big_projects_investment_and_funds(proposals):
    s = proposals["02"]
    big = find(s, value=40, unit="个", sentence="大项目40个")
    assert (big["kind"], big["period"], big["indicator"]) == ("target", "2024", "project_count")
    total = find(s, value=225, unit="亿元", sentence="总投资约225亿元")
    assert total["qualifier"] == "约" and total["unit"] == "万元" and total["value"] == 2250000
    annual = find(s, value=35, unit="亿元")
    assert annual["growth_pct"] == 10 and annual["kind"] == "target"
    assert annual["indicator"] == "annual_planned_investment"
    assert find(s, value=23, unit="个")["indicator"] == "new_project_count"
    assert (
        find(s, value=17, unit="个", sentence="续建项目")["indicator"] == "continued_project_count"
    )
    assert find(s, value=14, unit="个")["indicator"] == "spring_start_project_count"
    assert find(s, value=59, unit="亿元")["value"] == 590000
    assert find(s, value=30, unit="个")["indicator"] == "signed_project_count"
    funds = find(s, value=116, unit="亿元")
    assert (funds["indicator"], funds["growth_pct"], funds["kind"]) == (
        "funds_in_place",
        10,
        "target",
    )
    vehicles = find(s, value=30000, unit="台")
    assert vehicles["kind"] == "target" and vehicles["period"] == "2024"
    # no growth-only duplicates of the growth rates attached to 35亿元 and 116亿元
    assert not [x for x in s if x["value"] is None]


def test_002_is_read_from_traditional_characters_without_pinyin(proposals):
    for item in proposals["02"]:
        assert "項" not in item["sentence"] and "(xù)" not in item["sentence"]
    assert find(proposals["02"], value=17, unit="个", sentence="续建项目快速复工")


def test_004_five_gdp_growth_rates_with_their_years(proposals):
    gdp = [x for x in proposals["04"] if x["indicator"] == "gdp"]
    assert [(x["growth_pct"], x["period"]) for x in gdp] == [
        (7.7, "2017"), (8, "2018"), (5.4, "2019"), (3, "2020"), (5.7, "2021"),
    ]  # fmt: skip
    assert all(x["kind"] == "actual" and x["value"] is None for x in gdp)


def test_004_expected_versus_actual_industrial_growth(proposals):
    s = proposals["04"]
    planned = find(s, growth=2.5)  # 由预计的2.5%提高到7.2%: the estimate, then the actual
    actual = find(s, growth=7.2)
    assert (planned["kind"], actual["kind"]) == ("estimate", "actual")
    assert planned["indicator"] == actual["indicator"] == "industrial_output_above_scale"
    assert planned["period"] == actual["period"] == "2021"
    points = find(s, value=5, unit="百分点")
    assert points["qualifier"] == "近" and points["kind"] == "actual"
    # 限上社会消费品零售总额: the catalog keeps it apart from 社零 as a whole.
    assert find(s, growth=10.9)["indicator"] == "retail_sales_above_quota"
    assert find(s, value=12, unit="百分点")["kind"] == "actual"  # 较年初计划提高: not a plan


def test_004_market_entities_services_and_ranks(proposals):
    s = proposals["04"]
    entities = find(s, value=25396, unit="户")
    assert entities["indicator"] == "new_market_entities" and entities["growth_pct"] == 45
    assert entities["period"] == "2018-2022"
    services = find(s, value=469, unit="亿元")
    assert (services["period"], services["indicator"]) == ("2021", "services_value_added")
    assert find(s, value=28, unit="位")["sentence"].endswith("居第28位")
    assert find(s, value=33.33, unit="%", sentence="百强企业")
    assert find(s, value=50, unit="%", sentence="500强")["qualifier"] == "近"
    assert find(s, value=230, unit="家")["subject"] == "全国"
    assert find(s, value=42.9, unit="万人")["indicator"] == "resident_population"
    fixed = find(s, growth=10, sentence="固投")
    assert fixed["kind"] == "estimate" and fixed["indicator"] == "fixed_asset_investment"


def test_003_list_gives_one_statement_each(proposals):
    s = proposals["03"]
    clause = "5个国家级研发平台"
    assert find(s, value=5, unit="个", sentence=clause)["indicator"] == "platform_count"
    assert find(s, value=2, unit="个", sentence="2个国家级课题")
    patents = find(s, value=50, unit="项")
    assert patents["qualifier"] == "以上" and patents["measure"] == "核心专利技术"
    # 5000万元以上项目36个: the amount is a threshold, the figure is the 36 projects
    assert not [x for x in s if x["value"] == 5000 and x["unit"] == "万元"]
    assert not [x for x in s if x["unit"] == "英寸"]


def test_000_undated_article_year_from_the_events_it_names(proposals):
    s = proposals["00"]
    projects = find(s, value=108, unit="个")
    assert projects["period"] == "2025" and projects["kind"] == "actual"
    assert find(s, value=631, unit="家")["indicator"] == "hnte_count"
    assert find(s, value=19, unit="家")["indicator"] == "little_giant_count"
    assert all(x["subject"] == "长春高新区" for x in s)


def test_001_slogans_are_not_figures(proposals):
    s = proposals["01"]
    assert len(s) == 6
    assert all(x["kind"] == "target" and x["period"] == "2024" for x in s)
    assert all(x["subject"] == "长春新区" for x in s)
