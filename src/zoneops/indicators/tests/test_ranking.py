"""The zone ranking (争先进位): ranks per indicator, the change since the month before, the
chart, and a demo in which it ranks something as 长春新区's leader opens it."""

import json
from decimal import Decimal as D

import pytest

from zoneops.core.models import User
from zoneops.core.ops.demo import seed_users, seed_zones
from zoneops.indicators import demo, selectors, services
from zoneops.indicators.models import Indicator, Target


@pytest.fixture
def gdp(db):
    return Indicator.objects.get(code="gdp")


def put(zone, indicator, year, month, value):
    services.save_value(
        zone=zone, indicator=indicator, year=year, month=month, value=D(value), acting_user=None
    )


def test_rank_changes_since_the_month_before_are_counted(zone_tree, gdp):
    hitech, beihu = zone_tree["hitech"], zone_tree["beihu"]
    # Last year both grew the same; this year 北湖区 leads in August, 高新区 in September.
    for zone in (hitech, beihu):
        put(zone, gdp, 2024, 8, 100)
        put(zone, gdp, 2024, 9, 110)
    put(hitech, gdp, 2025, 8, 101)
    put(beihu, gdp, 2025, 8, 108)
    put(hitech, gdp, 2025, 9, 125)
    put(beihu, gdp, 2025, 9, 118)
    ranked = selectors.ranking([beihu, hitech], gdp, 2025, 9)
    assert [(e["zone"], e["rank"], e["previous_rank"], e["move"]) for e in ranked] == [
        (hitech, 1, 2, 1),
        (beihu, 2, 1, -1),
    ]
    by_ytd = selectors.ranking([beihu, hitech], gdp, 2025, 9, by="ytd")
    assert [e["zone"] for e in by_ytd] == [hitech, beihu]


def test_a_zone_that_has_not_reported_the_month_is_not_ranked_on_an_older_figure(zone_tree, gdp):
    hitech, beihu = zone_tree["hitech"], zone_tree["beihu"]
    for zone in (hitech, beihu):
        put(zone, gdp, 2024, 8, 100)
        put(zone, gdp, 2024, 9, 100)
    put(hitech, gdp, 2025, 8, 150)  # August only: stale in September
    put(beihu, gdp, 2025, 9, 105)
    ranked = selectors.ranking([hitech, beihu], gdp, 2025, 9)
    assert [(e["zone"], e["rank"], e["move"]) for e in ranked] == [
        (beihu, 1, None),
        (hitech, None, None),
    ]


def test_progress_against_target_ranks_and_lower_is_better_reverses(zone_tree, gdp):
    hitech, beihu = zone_tree["hitech"], zone_tree["beihu"]
    put(hitech, gdp, 2025, 9, 60)
    put(beihu, gdp, 2025, 9, 80)
    Target.objects.create(zone=hitech, indicator=gdp, year=2025, value=D(80))
    Target.objects.create(zone=beihu, indicator=gdp, year=2025, value=D(200))
    ranked = selectors.ranking([hitech, beihu], gdp, 2025, 9, by="completion")
    assert [(e["zone"], e["score"]) for e in ranked] == [(hitech, D("75.00")), (beihu, D("40.00"))]
    gdp.direction = Indicator.Direction.LOWER
    ranked = selectors.ranking([hitech, beihu], gdp, 2025, 9, by="ytd")
    assert [e["zone"] for e in ranked] == [hitech, beihu]


def test_the_demo_ranking_opens_on_zones_that_report_as_the_new_areas_leader(db, client):
    seed_zones()
    seed_users()
    demo.seed()
    leader = User.objects.get(username="xq_leader")
    User.objects.filter(pk=leader.pk).update(must_change_password=False)
    client.force_login(leader)
    response = client.get("/indicators/ranking/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {e["zone"].code for e in rows} == {"CCGX", "CCBH", "CCLK"}
    assert [e["rank"] for e in rows] == [1, 2, 3]
    # The demo's figures move zones between months: some month of the twelve up to the one the
    # page opens on has a move (early in a year the current year has one month of figures).
    year = int(response.context["form"].cleaned_data["year"])
    month = int(response.context["form"].cleaned_data["month"])
    moves = []
    for _ in range(12):
        page = client.get(
            "/indicators/ranking/",
            {"parent": rows[0]["zone"].parent_id, "indicator": "gdp", "year": year, "month": month},
        )
        moves += [e["move"] for e in page.context["rows"] if e["move"]]
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    assert moves, "no zone changes place in the demo"
    html = response.content.decode()
    chart = json.loads(
        html.split('id="ranking-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert len(chart["yAxis"]["data"]) == 3 and len(chart["series"][0]["data"]) == 3
    assert "<script>" not in html  # the chart is drawn by a static file (CSP)
