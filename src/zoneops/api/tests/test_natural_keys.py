"""One key per reference (issue #22): departments and indicators, like zones and industries,
are read and written as their code with the id beside it, and query filters take the same
codes (ids as ``<name>_id``)."""

import importlib

import pytest
from django.apps import apps

from zoneops.core.models import Department
from zoneops.core.ui.testing import token_client


@pytest.fixture
def units(zone_tree):
    return {
        "gx": Department.objects.create(zone=zone_tree["hitech"], name="经济发展局"),
        "jk": Department.objects.create(zone=zone_tree["econ"], name="经济发展局"),
    }


def test_a_department_made_without_a_code_gets_its_zones_and_units(zone_tree, units):
    assert units["gx"].code == f"{zone_tree['hitech'].code}-JF"
    assert units["jk"].code == f"{zone_tree['econ'].code}-JF"
    other = Department.objects.create(zone=zone_tree["hitech"], name="督查室")
    assert other.code == f"{zone_tree['hitech'].code}-D1"


def test_departments_are_written_with_a_unique_code(users, zone_tree, units):
    staff = token_client(users["staff"])
    body = {"zone": zone_tree["hitech"].code, "name": "投资促进局", "code": "GX-TC"}
    created = staff.post("/api/departments/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["zone"] == zone_tree["hitech"].code
    again = staff.post("/api/departments/", {**body, "name": "招商局"}, format="json")
    assert again.status_code == 400
    assert [e["field"] for e in again.json()["errors"]] == ["code"]


def test_the_loop_reads_and_writes_the_department_as_its_code(users, zone_tree, units):
    from zoneops.enterprises.models import Enterprise
    from zoneops.enterprises.uscc import make

    firm = Enterprise.objects.create(
        uscc=make("91220101MA0000001"), name="长春光电科技有限公司", zone=zone_tree["hitech"]
    )
    staff = token_client(users["staff"])
    appeal = staff.post(
        "/api/appeals/",
        {
            "uscc": firm.uscc,
            "contact_name": "张经理",
            "contact_phone": "13904310000",
            "channel": "hotline",
            "category": "financing",
            "title": "贷款对接",
            "description": "需要贷款。",
        },
        format="json",
    ).json()
    url = f"/api/appeals/{appeal['id']}/transition/"
    staff.post(url, {"transition": "accept"}, format="json")
    by_id = staff.post(
        url,
        {"transition": "assign", "department": units["gx"].pk, "handler": users["liaison"].pk},
        format="json",
    )
    assert by_id.status_code == 400  # an id is not a department's key
    # another zone's department is as if it did not exist
    foreign = staff.post(
        url,
        {"transition": "assign", "department": units["jk"].code, "handler": users["liaison"].pk},
        format="json",
    )
    assert foreign.status_code == 400
    assigned = staff.post(
        url,
        {"transition": "assign", "department": units["gx"].code, "handler": users["liaison"].pk},
        format="json",
    ).json()
    assert (assigned["department"], assigned["department_id"]) == (units["gx"].code, units["gx"].pk)
    listed = staff.get("/api/appeals/", {"department": units["gx"].code}).json()
    assert [row["id"] for row in listed["results"]] == [appeal["id"]]
    assert staff.get("/api/appeals/", {"department_id": units["gx"].pk}).json()["count"] == 1
    assert staff.get("/api/appeals/", {"department": "NOPE"}).status_code == 400
    assert staff.get("/api/appeals/", {"zone": zone_tree["hitech"].code}).json()["count"] == 1
    assert staff.get("/api/appeals/", {"zone_id": zone_tree["hitech"].pk}).json()["count"] == 1


def test_filters_take_codes_and_ids_beside_them_and_the_schema_says_so(users, zone_tree):
    schema = token_client(users["staff"]).get("/api/schema/?format=json").json()

    def parameters(path):
        found = schema["paths"][path]["get"]["parameters"]
        return {p["name"]: p["schema"].get("type") for p in found}

    appeals = parameters("/api/appeals/")
    assert appeals["zone"] == "string" and appeals["zone_id"] == "integer"
    assert appeals["department"] == "string" and appeals["department_id"] == "integer"
    assert parameters("/api/enterprises/")["uscc"] == "string"
    zones = parameters("/api/zones/")
    assert zones["code"] == "string" and zones["parent"] == "string"
    assert zones["within"] == "string" and zones["within_id"] == "integer"
    department = schema["components"]["schemas"]["Department"]
    assert "code" in department["required"] and "code" in department["properties"]


def test_the_migration_gives_every_department_a_unique_code(zone_tree):
    hitech, econ = zone_tree["hitech"], zone_tree["econ"]
    kept = Department.objects.create(zone=hitech, name="财政局", code="GX-CAIZHENG")
    blank = Department.objects.create(zone=econ, name="经济发展局", code="X1")
    unknown = Department.objects.create(zone=econ, name="督查室", code="X2")
    spaced = Department.objects.create(zone=hitech, name="应急管理局", code="X3")
    shared = Department.objects.create(zone=hitech, name="科技创新局", code="X4")
    # as rows were before: a code blank, one with letters no code takes; unique codes are kept
    Department.objects.filter(pk=blank.pk).update(code="")
    Department.objects.filter(pk=spaced.pk).update(code="应急 局")
    Department.objects.filter(pk=unknown.pk).update(code="KCJ")
    Department.objects.filter(pk=shared.pk).update(code=f"{hitech.code}-KCJ")
    migration = importlib.import_module("zoneops.core.migrations.0009_department_code_unique")
    migration.fill_codes(apps, None)
    codes = dict(Department.objects.values_list("pk", "code"))
    assert codes[kept.pk] == "GX-CAIZHENG"
    assert codes[blank.pk] == f"{econ.code}-JF"
    assert codes[spaced.pk] == f"{hitech.code}-YJ"
    assert codes[unknown.pk] == "KCJ" and codes[shared.pk] == f"{hitech.code}-KCJ"
    assert len(set(codes.values())) == len(codes)
