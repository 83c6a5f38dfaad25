"""Only the system administrator changes the zone tree, and never into a broken one
(issue #17, 1)."""

import pytest

from zoneops.core.models import Zone
from zoneops.core.ui.testing import field_error, token_client

REFUSED_ROLES = ["staff", "liaison", "leader", "security_admin", "auditor"]


def api_for(user):
    return token_client(user)


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_no_other_role_changes_the_tree_through_the_api(role, users, zone_tree):
    client = api_for(users[role])
    park, hitech = zone_tree["park"], zone_tree["hitech"]
    for url, payload in [
        (f"/api/zones/{park.pk}/", {"parent": None}),
        (f"/api/zones/{hitech.pk}/", {"parent": park.code}),
        (f"/api/zones/{park.pk}/", {"name": "改名"}),
    ]:
        response = client.patch(url, payload, format="json")
        assert response.status_code in (403, 404), (url, payload, response.status_code)
    assert client.delete(f"/api/zones/{park.pk}/").status_code in (403, 404)
    response = client.post(
        "/api/zones/", {"code": "NEW", "name": "新园", "kind": "industrial_park",
                        "parent": hitech.code}, format="json",
    )  # fmt: skip
    assert response.status_code in (403, 404)
    park.refresh_from_db()
    assert park.parent_id == hitech.pk and park.name == "光电产业园"
    assert Zone.objects.filter(pk=park.pk).exists()
    assert not Zone.objects.filter(code="NEW").exists()


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_no_other_role_reaches_the_tree_pages(role, client_for, users, zone_tree):
    client = client_for(users[role])
    park = zone_tree["park"]
    assert client.get("/zones/add/").status_code in (403, 404)
    assert client.post("/zones/add/", {"code": "NEW", "name": "新园",
                                       "kind": "industrial_park", "parent": "GX"}
                       ).status_code in (403, 404)  # fmt: skip
    assert client.post(f"/zones/{park.pk}/edit/", {"code": "GX-P1", "name": "光电产业园",
                                                   "kind": "industrial_park", "parent": ""}
                       ).status_code in (403, 404)  # fmt: skip
    assert client.post(f"/zones/{park.pk}/delete/").status_code in (403, 404)
    assert client.post("/zones/import/", {}).status_code in (403, 404)
    park.refresh_from_db()
    assert park.parent_id == zone_tree["hitech"].pk
    assert not Zone.objects.filter(code="NEW").exists()


def test_the_system_admin_cannot_make_a_non_top_zone_top_level(users, zone_tree):
    client = api_for(users["admin"])
    park = zone_tree["park"]
    response = client.patch(f"/api/zones/{park.pk}/", {"parent": None}, format="json")
    assert response.status_code == 400
    assert field_error(response, "parent")
    park.refresh_from_db()
    assert park.parent_id == zone_tree["hitech"].pk


def test_the_system_admin_cannot_make_a_cycle(users, zone_tree):
    client = api_for(users["admin"])
    hitech, park = zone_tree["hitech"], zone_tree["park"]
    for parent in (park, hitech):
        response = client.patch(f"/api/zones/{hitech.pk}/", {"parent": parent.code}, format="json")
        assert response.status_code == 400
        assert field_error(response, "parent")
    hitech.refresh_from_db()
    assert hitech.parent_id == zone_tree["new_area"].pk


def test_the_edit_page_refuses_a_cycle_and_a_null_parent_with_a_reason(
    client_for, users, zone_tree
):
    client = client_for(users["admin"])
    hitech = zone_tree["hitech"]
    data = {"code": "GX", "name": "长春高新区", "kind": "hi_tech_zone", "source": ""}
    for parent in ("", "GX-P1"):
        response = client.post(f"/zones/{hitech.pk}/edit/", data | {"parent": parent})
        assert response.status_code == 200
        assert response.context["form"].errors
    hitech.refresh_from_db()
    assert hitech.parent_id == zone_tree["new_area"].pk


def test_a_zone_with_sub_zones_or_data_is_not_deleted(users, zone_tree, client_for, make_user):
    client = api_for(users["admin"])
    hitech = zone_tree["hitech"]
    response = client.delete(f"/api/zones/{hitech.pk}/")
    assert response.status_code == 400
    assert "detail" in response.json()
    # a leaf zone with an account granted it
    beihu = zone_tree["beihu"]
    make_user("bh_staff", "staff", [beihu])
    assert client.delete(f"/api/zones/{beihu.pk}/").status_code == 400
    page = client_for(users["admin"]).post(f"/zones/{hitech.pk}/delete/")
    assert page.status_code == 302
    assert Zone.objects.filter(pk__in=[hitech.pk, beihu.pk]).count() == 2


def test_the_system_admin_moves_and_deletes_within_the_rules(users, zone_tree):
    client = api_for(users["admin"])
    park = zone_tree["park"]
    response = client.patch(f"/api/zones/{park.pk}/", {"parent": zone_tree["beihu"].code},
                            format="json")  # fmt: skip
    assert response.status_code == 200
    park.refresh_from_db()
    assert park.path.startswith(zone_tree["beihu"].path)
    assert client.delete(f"/api/zones/{park.pk}/").status_code == 204
    assert not Zone.objects.filter(pk=park.pk).exists()
