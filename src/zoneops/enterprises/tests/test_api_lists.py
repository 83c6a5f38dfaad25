"""The enterprises API's lists: tiers in the page's one query, figures newest first, and the
scale-up candidates as pages of the same shape as every list."""

import datetime as dt
from decimal import Decimal

from zoneops.core.ui.testing import token_client
from zoneops.enterprises import services
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.tests.factories import certify, enterprise, figure


def test_tiers_come_with_the_page_not_one_query_each(
    users, zone_tree, django_assert_max_num_queries
):
    today = dt.date.today()
    for n in range(12):
        ent = enterprise(zone_tree["park"], n)
        if n % 3 == 0:
            certify(ent, "hnte", today - dt.timedelta(days=30))
        if n % 3 == 1:
            certify(ent, "sme", today - dt.timedelta(days=400), today - dt.timedelta(days=1))
    client = token_client(users["staff"])
    with django_assert_max_num_queries(4):  # token, granted zones, the page; no count
        rows = client.get("/api/enterprises/").json()["results"]
    assert len(rows) == 12
    for row in rows:
        assert row["tier"] == services.tier_of(Enterprise.objects.get(pk=row["id"])), row
    assert {row["tier"] for row in rows} == {"hnte", None}  # the expired one has no tier
    detail = client.get(f"/api/enterprises/{rows[0]['id']}/").json()
    assert detail["tier"] == rows[0]["tier"]


def test_figures_newest_month_first(users, zone_tree):
    first, second = enterprise(zone_tree["park"], 1), enterprise(zone_tree["park"], 2)
    for ent in (first, second):
        figure(ent, 2025, 5, 100)
        figure(ent, 2025, 6, 120)
    figure(enterprise(zone_tree["econ"], 3), 2025, 7, 1)  # not the staff's
    rows = token_client(users["staff"]).get("/api/monthly-figures/").json()["results"]
    # Within a month, the newest enterprise first (the index read backwards).
    assert [(r["year"], r["month"], r["enterprise"]) for r in rows] == [
        (2025, 6, second.pk),
        (2025, 6, first.pk),
        (2025, 5, second.pk),
        (2025, 5, first.pk),
    ]
    by_revenue = token_client(users["staff"]).get(
        "/api/monthly-figures/", {"ordering": "-main_revenue"}
    )
    assert by_revenue.json()["results"][0]["main_revenue"] == "120.00"


def test_scale_up_candidates_are_pages(users, zone_tree):
    park = zone_tree["park"]
    reached = enterprise(park, 1)  # TTM = 1500 + 2400 - 1800 = 2100 ≥ 2000
    figure(reached, 2024, 6, 1800)
    figure(reached, 2024, 12, 2400)
    figure(reached, 2025, 6, 1500)
    growing = enterprise(park, 2)  # TTM 1900, at +25% the year closes at 2125
    figure(growing, 2024, 6, 800)
    figure(growing, 2024, 12, 1700)
    figure(growing, 2025, 6, 1000)
    elsewhere = enterprise(zone_tree["econ"], 3)  # a candidate the staff of 高新区 do not see
    figure(elsewhere, 2025, 6, 5000)
    answer = token_client(users["staff"]).get("/api/enterprises/scale-up-candidates/")
    assert answer.status_code == 200
    page = answer.json()
    assert (page["count"], page["count_exact"], page["next"], page["previous"]) == (
        2,
        True,
        None,
        None,
    )
    first, second = page["results"]
    assert first == {
        "enterprise": reached.pk,
        "sector": first["sector"],
        "threshold": "2000.00",
        "ttm_revenue": "2100.00",
        "ytd_revenue": "1500.00",
        "yoy": "-16.7",
        "projected": "2000.00",
        "reached": True,
        "reason": first["reason"],
    }
    assert "2100" in first["reason"]
    assert (second["enterprise"], second["reached"], second["projected"]) == (
        growing.pk,
        False,
        "2125.00",
    )
    assert Decimal(second["yoy"]) == Decimal("25.0")
    # The filters of the enterprise list apply.
    one = token_client(users["staff"]).get(
        "/api/enterprises/scale-up-candidates/", {"search": reached.name}
    )
    assert [r["enterprise"] for r in one.json()["results"]] == [reached.pk]


def test_scale_up_candidates_are_documented_as_pages(users):
    schema = token_client(users["admin"]).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/enterprises/scale-up-candidates/"]["get"]
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert "count_exact" in page["properties"]
    item = page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    assert {"enterprise", "ttm_revenue", "reason"} <= set(
        schema["components"]["schemas"][item]["properties"]
    )
