"""POST /api/monthly-figures/bulk/: monthly figures from other systems, all or nothing."""

from decimal import Decimal

import pytest

from zoneops.core.models import ObjectChange
from zoneops.core.ui.testing import token_client
from zoneops.enterprises import services
from zoneops.enterprises.models import MonthlyFigure
from zoneops.enterprises.tests.factories import enterprise, figure

URL = "/api/monthly-figures/bulk/"


api = token_client


@pytest.fixture
def firms(zone_tree):
    return {
        "a": enterprise(zone_tree["park"], 1, industry=None),
        "b": enterprise(zone_tree["hitech"], 2, industry=None),
        "other": enterprise(zone_tree["econ"], 3, industry=None),
    }


def test_creates_and_updates_by_natural_key_with_audit_rows(users, firms):
    existing = figure(firms["b"], 2025, 8, "100", employees=50, tax_paid=Decimal("3"))
    before = ObjectChange.objects.count()
    response = api(users["staff"]).post(
        URL,
        [
            {"uscc": firms["a"].uscc, "year": 2025, "month": 8, "main_revenue": "1234.5"},
            {"enterprise": firms["b"].pk, "year": 2025, "month": 8, "main_revenue": 150.25},
            {"uscc": firms["a"].uscc.lower(), "year": "2025", "month": 9, "employees": 12},
        ],
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 1}
    new = MonthlyFigure.objects.get(enterprise=firms["a"], year=2025, month=8)
    assert new.main_revenue == Decimal("1234.50") and new.source == "api"
    existing.refresh_from_db()
    assert existing.main_revenue == Decimal("150.25")
    assert existing.employees == 50 and existing.tax_paid == Decimal("3")  # left out: kept
    assert MonthlyFigure.objects.get(enterprise=firms["a"], month=9).employees == 12
    rows = ObjectChange.objects.order_by("pk")[before:]
    assert [(r.action, r.user_name) for r in rows] == [
        ("create", "gx_staff"),
        ("update", "gx_staff"),
        ("create", "gx_staff"),
    ]
    assert rows[1].changes == {"main_revenue": {"before": "100.00", "after": "150.25"}}


def test_one_bad_row_writes_nothing_and_names_row_field_and_reason(users, firms):
    response = api(users["staff"]).post(
        URL,
        [
            {"uscc": firms["a"].uscc, "year": 2025, "month": 8, "main_revenue": "10"},
            {"uscc": firms["b"].uscc, "year": 2025, "month": 8, "main_revenue": "abc"},
            {"uscc": firms["b"].uscc, "year": 2025, "month": 13},
            {"uscc": "91220101MA00000000", "year": 2025, "month": 8},
            {"uscc": firms["a"].uscc, "year": 2025, "month": 8, "output_value": -1},
        ],
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["message"]["en"]) == ("invalid", "The request is not valid.")
    errors = body["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (1, "main_revenue"),
        (2, "month"),
        (3, "uscc"),
        (4, "uscc"),
    ]
    assert errors[0]["value"] == "abc" and errors[0]["message"]["zh"] == "不是数字。"
    assert "重复" in errors[3]["message"]["zh"]
    assert not MonthlyFigure.objects.exists()


def test_negative_and_unknown_fields_are_refused(users, firms):
    response = api(users["staff"]).post(
        URL,
        [
            {"uscc": firms["a"].uscc, "year": 2025, "month": 8, "output_value": -1},
            {"uscc": firms["a"].uscc, "year": 2025, "month": 7, "tax_paid": -1, "colour": "red"},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (0, "output_value"),
        (1, "colour"),
    ]
    assert not MonthlyFigure.objects.exists()


def test_zone_b_rows_are_refused_for_a_zone_a_token(users, firms):
    response = api(users["staff"]).post(
        URL,
        [
            {"uscc": firms["a"].uscc, "year": 2025, "month": 8, "main_revenue": "1"},
            {"uscc": firms["other"].uscc, "year": 2025, "month": 8, "main_revenue": "1"},
            {"enterprise": firms["other"].pk, "year": 2025, "month": 9, "main_revenue": "1"},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (1, "uscc"),
        (2, "enterprise"),
    ]
    assert not MonthlyFigure.objects.exists()


def test_roles_as_for_one_figure(users, firms):
    row = [{"uscc": firms["a"].uscc, "year": 2025, "month": 8, "main_revenue": "1"}]
    assert api(users["leader"]).post(URL, row, format="json").status_code == 403
    for name in ("auditor", "security_admin"):
        assert api(users[name]).post(URL, row, format="json").status_code == 403
    assert api(users["liaison"]).post(URL, row, format="json").status_code == 200
    assert not MonthlyFigure.objects.filter(enterprise=firms["other"]).exists()


def test_approved_months_are_locked(users, firms, zone_tree):
    services.approve_month(zone_tree["hitech"], 2025, 8, acting_user=users["staff"])
    response = api(users["staff"]).post(
        URL, [{"uscc": firms["a"].uscc, "year": 2025, "month": 8}], format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "month"


def test_shape_errors(users, firms):
    client = api(users["staff"])
    assert client.post(URL, {"uscc": "x"}, format="json").status_code == 400
    assert client.post(URL, [], format="json").status_code == 400
    response = client.post(URL, ["text"], format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 0


def test_documented_in_the_schema(users):
    schema = api(users["staff"]).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"200", "400"} <= set(operation["responses"])
