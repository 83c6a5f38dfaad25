"""Actions whose body is not the viewset's serializer declare the body they take and the answer
they give (issue #22): a generated client sends what the server reads."""

import pytest

from zoneops.core.ui.testing import token_client
from zoneops.enterprises import services
from zoneops.enterprises.models import Enterprise, IdleRevival
from zoneops.enterprises.uscc import make


@pytest.fixture
def schema(users):
    return token_client(users["staff"]).get("/api/schema/?format=json").json()


def body_of(schema, path):
    operation = schema["paths"][path]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = next(
        r["content"]["application/json"]["schema"]
        for code, r in operation["responses"].items()
        if code.startswith("2")
    )
    component = schema["components"]["schemas"][request.rsplit("/", 1)[1]]
    return component, answer.get("$ref", "").rsplit("/", 1)[-1]


def test_the_declared_bodies_are_the_taken_ones(schema):
    status, answer = body_of(schema, "/api/idle-revivals/{id}/status/")
    assert set(status["properties"]) == {"status"} and status["required"] == ["status"]
    assert answer == "IdleRevival"
    reopen, answer = body_of(schema, "/api/month-approvals/{id}/reopen/")
    assert set(reopen["properties"]) == {"reason"} and reopen["required"] == ["reason"]
    assert answer == "MonthApproval"
    move, answer = body_of(schema, "/api/leads/{id}/move/")
    assert "stage" in move["properties"] and answer == "Lead"
    transition, answer = body_of(schema, "/api/tasks/{id}/transition/")
    assert "transition" in transition["properties"] and answer == "Task"


def test_an_idle_enterprise_moves_by_the_declared_body(users, zone_tree):
    firm = Enterprise.objects.create(
        uscc=make("91220101MA0000001"), name="长春光电科技有限公司", zone=zone_tree["hitech"]
    )
    revival = IdleRevival.objects.create(enterprise=firm, year=2025)
    staff = token_client(users["staff"])
    url = f"/api/idle-revivals/{revival.pk}/status/"
    refused = staff.post(url, {"status": "gone"}, format="json")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["status"]
    moved = staff.post(url, {"status": "reviving"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "reviving"
    revival.refresh_from_db()
    assert revival.status == IdleRevival.Status.REVIVING


def test_reopening_a_month_reads_the_reason_from_the_declared_body(users, zone_tree):
    approval = services.approve_month(zone_tree["hitech"], 2025, 8, acting_user=users["staff"])
    staff = token_client(users["staff"])
    url = f"/api/month-approvals/{approval.pk}/reopen/"
    refused = staff.post(url, {}, format="json")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["reason"]
    # with its reason the body is read and the zone's staff reopen the month; the system
    # administrator may not (三员分立: it reads approvals only)
    admin = token_client(users["admin"])
    assert admin.post(url, {"reason": "企业更正了8月营收"}, format="json").status_code == 403
    answered = staff.post(url, {"reason": "企业更正了8月营收"}, format="json")
    assert answered.status_code == 200, answered.content
    approval.refresh_from_db()
    assert not approval.approved and approval.reason == "企业更正了8月营收"
