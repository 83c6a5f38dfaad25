"""POST /api/monthly-investments/bulk/: completed investment from other systems, all or nothing."""

from decimal import Decimal

from zoneops.core.models import ObjectChange
from zoneops.core.ui.testing import token_client
from zoneops.projects import services
from zoneops.projects.models import MonthlyInvestment, Project
from zoneops.projects.tests.factories import make_project

URL = "/api/monthly-investments/bulk/"


api = token_client


def test_creates_and_updates_by_code_and_month_with_audit_rows(users, zone_tree):
    one = make_project(zone_tree["park"], 1)
    two = make_project(zone_tree["hitech"], 2)
    services.record_monthly(two, 2025, 7, Decimal("100"), acting_user=users["staff"])
    before = ObjectChange.objects.count()
    response = api(users["staff"]).post(
        URL,
        [
            {"code": "P-1", "year": 2025, "month": 7, "completed_ytd": "300.5"},
            {"code": "P-1", "year": 2025, "month": 8, "completed_ytd": 420},
            {"code": "P-2", "year": 2025, "month": 7, "completed_ytd": "150"},
        ],
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 1}
    assert MonthlyInvestment.objects.get(project=two, month=7).completed_ytd == Decimal("150")
    assert MonthlyInvestment.objects.get(project=one, month=8).completed_ytd == Decimal("420")
    one.refresh_from_db()
    assert one.completed_ytd == Decimal("420") and one.completed_month == 8
    rows = ObjectChange.objects.filter(
        pk__gt=ObjectChange.objects.order_by("pk")[before - 1].pk,
        content_type__model="monthlyinvestment",
    )
    assert rows.count() == 3 and {r.user_name for r in rows} == {"gx_staff"}


def test_one_bad_row_writes_nothing_and_names_row_field_and_reason(users, zone_tree):
    make_project(zone_tree["park"], 1)
    response = api(users["staff"]).post(
        URL,
        [
            {"code": "P-1", "year": 2025, "month": 7, "completed_ytd": "300"},
            {"code": "P-1", "year": 2025, "month": 8, "completed_ytd": "lots"},
            {"code": "P-1", "year": 2025, "month": 9, "completed_ytd": "100"},
        ],
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    # the bad number, and (a year-to-date figure may not fall) September below July
    assert [(e["row"], e["field"]) for e in errors] == [
        (1, "completed_ytd"),
        (2, "completed_ytd"),
    ]
    assert errors[0]["value"] == "lots" and errors[0]["message"]["zh"] == "不是数字。"
    assert "7" in errors[1]["message"]["zh"]
    assert not MonthlyInvestment.objects.exists()


def test_zone_b_rows_are_refused_for_a_zone_a_token(users, zone_tree):
    make_project(zone_tree["park"], 1)
    make_project(zone_tree["econ"], 2)
    response = api(users["staff"]).post(
        URL,
        [
            {"code": "P-1", "year": 2025, "month": 7, "completed_ytd": "1"},
            {"code": "P-2", "year": 2025, "month": 7, "completed_ytd": "1"},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "code")]
    assert not MonthlyInvestment.objects.exists()


def test_roles_as_for_one_record(users, zone_tree):
    make_project(zone_tree["park"], 1)
    row = [{"code": "P-1", "year": 2025, "month": 7, "completed_ytd": "1"}]
    for name in ("leader", "liaison", "auditor", "security_admin"):
        assert api(users[name]).post(URL, row, format="json").status_code == 403, name
    assert not MonthlyInvestment.objects.exists()
    assert Project.objects.count() == 1


def test_unknown_fields_and_shapes(users, zone_tree):
    make_project(zone_tree["park"], 1)
    client = api(users["staff"])
    response = client.post(
        URL, [{"code": "P-1", "year": 2025, "month": 7, "amount": 1}], format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "amount"
    assert client.post(URL, {"code": "P-1"}, format="json").status_code == 400


def test_documented_in_the_schema(users):
    schema = api(users["staff"]).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"200", "400"} <= set(operation["responses"])
