import pytest
from rest_framework.test import APIClient

from zoneops.appeals.models import Appeal
from zoneops.appeals.tests.conftest import make_uscc, new_appeal


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def test_create_walk_and_rate_through_the_api(api, users, enterprise, department):
    staff = api(users["staff"])
    response = staff.post(
        "/api/appeals/",
        {
            "uscc": make_uscc(1),
            "contact_name": "张经理",
            "contact_phone": "13904310000",
            "channel": "hotline",
            "category": "financing",
            "title": "流动资金贷款对接",
            "description": "需要500万元流动资金贷款。",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise"] == enterprise.pk and body["state"] == "submitted"
    url = f"/api/appeals/{body['id']}/transition/"
    assert staff.post(url, {"transition": "accept"}, format="json").status_code == 200
    bad = staff.post(url, {"transition": "confirm"}, format="json")
    assert bad.status_code == 400 and "detail" in bad.json()
    staff.post(
        url,
        {"transition": "assign", "department": department.code, "handler": users["liaison"].pk},
        format="json",
    )
    liaison = api(users["liaison"])
    liaison.post(url, {"transition": "start"}, format="json")
    reply = liaison.post(url, {"transition": "reply", "comment": "已对接银行"}, format="json")
    assert reply.json()["state"] == "replied"
    rated = staff.post(f"/api/appeals/{body['id']}/rate/", {"score": 5}, format="json")
    assert rated.json()["state"] == "closed" and rated.json()["rating"] == 5


def test_api_is_zone_scoped_and_roles_hold(api, users, zone_tree):
    own = new_appeal(zone_tree["park"], None, title="本区诉求")
    other = new_appeal(zone_tree["econ"], None, title="外区诉求")
    listing = api(users["staff"]).get("/api/appeals/").json()
    assert [row["id"] for row in listing["results"]] == [own.pk]
    assert api(users["staff"]).get(f"/api/appeals/{other.pk}/").status_code == 404
    leader = api(users["leader"])
    assert leader.get(f"/api/appeals/{own.pk}/").status_code == 200
    assert leader.patch(f"/api/appeals/{own.pk}/", {"title": "x"}).status_code == 403
    response = leader.post(
        f"/api/appeals/{own.pk}/transition/", {"transition": "accept"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert Appeal.objects.get(pk=own.pk).case.state == "submitted"
    assert api(users["admin"]).delete(f"/api/appeals/{own.pk}/").status_code == 405


def test_notifications_api(api, users, zone_tree, department):
    from zoneops.appeals import services

    appeal = new_appeal(zone_tree["park"], users["staff"])
    services.transition(appeal, "accept", acting_user=users["staff"])
    services.transition(
        appeal,
        "assign",
        acting_user=users["staff"],
        department=department,
        handler=users["liaison"],
    )
    client = api(users["liaison"])
    rows = client.get("/api/notifications/?unread=1").json()["results"]
    assert len(rows) == 1 and rows[0]["target"] == appeal.get_absolute_url()
    assert client.post("/api/notifications/read/").json() == {"marked": 1}
    assert api(users["staff"]).get("/api/notifications/").json()["results"] == []


def test_a_title_changed_through_the_api_or_the_page_is_the_cases_title(
    api, users, appeal, client_for
):
    """The appeal's write service keeps its loop case in step (lists, reminders, calendar)."""
    response = api(users["staff"]).patch(
        f"/api/appeals/{appeal.pk}/", {"title": "厂区用电增容审批慢"}, format="json"
    )
    assert response.status_code == 200
    appeal.case.refresh_from_db()
    assert appeal.case.title == "厂区用电增容审批慢"
    page = client_for(users["staff"]).get(f"/appeals/{appeal.pk}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["title"] = "二期厂房用电增容审批慢"
    assert client_for(users["staff"]).post(f"/appeals/{appeal.pk}/edit/", data).status_code == 302
    appeal.case.refresh_from_db()
    assert appeal.case.title == "二期厂房用电增容审批慢"
