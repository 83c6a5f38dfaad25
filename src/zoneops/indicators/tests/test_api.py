from decimal import Decimal as D

from zoneops.indicators import services
from zoneops.indicators.models import Indicator, IndicatorValue, Target


def test_values_through_the_api_follow_the_same_rules(client_for, users, zone_tree):
    client = client_for(users["staff"])
    response = client.post(
        "/api/indicator-values/",
        {"zone": "GX", "indicator": "gdp", "year": 2025, "month": 9, "value": "90"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # Another zone is unknown to this user.
    response = client.post(
        "/api/indicator-values/",
        {"zone": "JK", "indicator": "gdp", "year": 2025, "month": 9, "value": "90"},
        content_type="application/json",
    )
    assert response.status_code == 400
    services.approve_month(zone=zone_tree["hitech"], year=2025, month=9, acting_user=None)
    response = client.post(
        "/api/indicator-values/",
        {"zone": "GX", "indicator": "gdp", "year": 2025, "month": 9, "value": "95"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert IndicatorValue.objects.get().value == D(90)
    listed = client.get("/api/indicator-values/").json()
    assert listed["count"] == 1
    assert client.post("/api/indicator-months/", {}).status_code == 405


def test_progress_endpoint(client_for, users, zone_tree):
    gdp = Indicator.objects.get(code="gdp")
    zone = zone_tree["hitech"]
    for year, month, value in ((2024, 9, 80), (2024, 12, 120), (2025, 9, 90)):
        services.save_value(
            zone=zone, indicator=gdp, year=year, month=month, value=D(value), acting_user=None
        )
    Target.objects.create(zone=zone, indicator=gdp, year=2025, growth=D(10))
    client = client_for(users["leader"])
    data = client.get("/api/indicator-progress/", {"zone": "GX", "year": 2025, "month": 9}).json()
    (row,) = data["rows"]
    assert row["indicator"]["code"] == "gdp" and row["q4_must"] == "42.00"
    response = client_for(users["other_staff"]).get(
        "/api/indicator-progress/", {"zone": "GX", "year": 2025, "month": 9}
    )
    assert response.status_code == 400
