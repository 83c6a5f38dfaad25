from rest_framework.test import APIClient

from zoneops.core.models import Zone
from zoneops.core.ui.testing import token_client


def test_token_of_one_zone_cannot_read_or_change_another(users, zone_tree):
    client = token_client(users["staff"])
    listed = {row["code"] for row in client.get("/api/zones/").json()["results"]}
    assert listed == {"GX", "GX-P1"}
    assert client.get(f"/api/zones/{zone_tree['econ'].pk}/").status_code == 404
    response = client.patch(f"/api/zones/{zone_tree['econ'].pk}/", {"name": "x"}, format="json")
    assert response.status_code in (403, 404)
    assert Zone.objects.get(pk=zone_tree["econ"].pk).name == "长春经开区"
    assert client.get("/api/zones/", {"code": "JK"}).json()["count"] == 0


def test_leader_token_reads_but_cannot_write(users, zone_tree):
    client = token_client(users["leader"])
    assert client.get(f"/api/zones/{zone_tree['hitech'].pk}/").status_code == 200
    response = client.patch(f"/api/zones/{zone_tree['hitech'].pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403


def test_api_needs_authentication(db):
    assert APIClient().get("/api/zones/").status_code in (401, 403)


def test_schema_is_served(users):
    response = token_client(users["admin"]).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/zones/" in response.content


def test_a_reference_into_another_zone_is_refused_for_every_writing_role(users, zone_tree):
    """Found by the per-role schemathesis run: staff created a department in the province's
    zone. Every writable reference accepts only what the writer sees (api.viewsets)."""
    from zoneops.core.models import Department

    for role in ("staff", "liaison", "leader"):
        client = token_client(users[role])
        for zone in ("province", "econ"):
            body = {"zone": zone_tree[zone].code, "name": f"{role}-{zone}", "code": f"{role}{zone}"}
            response = client.post("/api/departments/", body, format="json")
            assert response.status_code in (400, 403), (role, zone, response.status_code)
    assert not Department.objects.exists()

    # Inside its own zone the staff member still may.
    body = {"zone": zone_tree["hitech"].code, "name": "经济发展局", "code": "JF"}
    response = token_client(users["staff"]).post("/api/departments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Department.objects.get().zone == zone_tree["hitech"]
