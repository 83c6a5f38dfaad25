"""API lists: the page shape, the count that stops counting, the filter backend's short cut,
one reading of the granted zones per request, and a query count that does not grow with rows."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.api.pagination import CountLimitedPagination
from zoneops.core.access import context
from zoneops.core.models import Department, Role
from zoneops.core.ui.testing import token_client


@pytest.fixture
def departments(zone_tree):
    """120 departments in 高新区, 5 in 经开区."""
    Department.objects.bulk_create(
        [
            Department(zone=zone_tree["hitech"], name=f"部门{i:03d}", code=f"GX-{i}")
            for i in range(120)
        ]
        + [
            Department(zone=zone_tree["econ"], name=f"经开部门{i}", code=f"JK-{i}")
            for i in range(5)
        ]
    )


def test_pages_tell_the_total_and_the_neighbours(users, departments):
    client = token_client(users["staff"])
    first = client.get("/api/departments/").json()
    assert list(first) == ["count", "count_exact", "next", "previous", "results"]
    assert (first["count"], first["count_exact"], first["previous"]) == (120, True, None)
    assert first["next"].endswith("/api/departments/?page=2")
    assert len(first["results"]) == 50

    last = client.get("/api/departments/", {"page": 3}).json()
    assert (last["count"], last["count_exact"], last["next"]) == (120, True, None)
    assert last["previous"].endswith("/api/departments/?page=2")
    assert len(last["results"]) == 20
    second = client.get(first["next"]).json()
    assert second["previous"].endswith("/api/departments/")  # page 1 has no page parameter
    names = [row["name"] for page in (first, second, last) for row in page["results"]]
    assert len(set(names)) == 120 and not any(n.startswith("经开") for n in names)


@pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "last"])
def test_a_page_that_does_not_exist_is_404(users, departments, page):
    assert token_client(users["staff"]).get("/api/departments/", {"page": page}).status_code == 404


def test_an_empty_list_is_one_empty_page(users, zone_tree):
    answer = token_client(users["staff"]).get("/api/departments/").json()
    assert answer == {
        "count": 0,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_count_stops_at_the_limit_and_says_so(users, departments, monkeypatch):
    monkeypatch.setattr(CountLimitedPagination, "count_limit", 60)
    client = token_client(users["staff"])
    first = client.get("/api/departments/").json()
    assert (first["count"], first["count_exact"]) == (60, False)  # "at least 60"
    assert first["next"] is not None
    second = client.get("/api/departments/", {"page": 2}).json()
    assert (second["count"], second["count_exact"]) == (101, False)  # at least this page + 1
    assert second["next"] is not None
    last = client.get("/api/departments/", {"page": 3}).json()
    assert (last["count"], last["count_exact"], last["next"]) == (120, True, None)


def test_a_page_that_is_not_full_is_not_counted(users, zone_tree):
    Department.objects.bulk_create(
        [Department(zone=zone_tree["hitech"], name=f"部门{i}", code=f"GX-{i}") for i in range(30)]
    )
    with CaptureQueriesContext(connection) as queries:
        answer = token_client(users["staff"]).get("/api/departments/").json()
    assert (answer["count"], answer["count_exact"], answer["next"]) == (30, True, None)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


def test_schema_documents_the_page(users):
    schema = token_client(users["admin"]).get("/api/schema/?format=json").json()
    page = schema["components"]["schemas"]["PaginatedDepartmentList"]
    assert set(page["required"]) == {"count", "count_exact", "next", "previous", "results"}
    assert page["properties"]["count_exact"]["type"] == "boolean"
    parameters = {p["name"] for p in schema["paths"]["/api/departments/"]["get"]["parameters"]}
    assert {"page", "zone", "name", "search", "ordering"} <= parameters  # filters still listed


def test_filters_still_filter(users, departments, zone_tree):
    client = token_client(users["admin"])
    econ = client.get("/api/departments/", {"zone": zone_tree["econ"].code}).json()
    assert econ["count"] == 5
    by_id = client.get("/api/departments/", {"zone_id": zone_tree["econ"].pk}).json()
    assert by_id["results"] == econ["results"]
    assert client.get("/api/departments/", {"zone": "nope"}).status_code == 400
    assert client.get("/api/departments/", {"zone": zone_tree["econ"].pk}).status_code == 400
    assert client.get("/api/departments/", {"search": "经开"}).json()["count"] == 5
    # The rows stay the user's whatever the filter names.
    other = token_client(users["staff"]).get("/api/departments/", {"zone": zone_tree["econ"].code})
    assert other.status_code in (200, 400) and other.json().get("count", 0) == 0


def test_granted_zones_are_read_once_per_request(users, departments, zone_tree):
    staff = users["staff"]
    with CaptureQueriesContext(connection) as queries:
        token_client(staff).get("/api/departments/", {"name": "部门001"})
    grants = [q for q in queries if "core_user_zones" in q["sql"]]
    assert len(grants) == 1  # permission, list and the filter's zone choices share it


def test_a_grant_during_the_request_is_seen_at_once(users, zone_tree):
    staff = users["staff"]
    with context.request_memo():
        assert not staff.visible_zones().filter(pk=zone_tree["econ"].pk).exists()
        staff.zones.add(zone_tree["econ"])
        assert staff.visible_zones().filter(pk=zone_tree["econ"].pk).exists()
        staff.zones.remove(zone_tree["econ"])
        assert not staff.visible_zones().filter(pk=zone_tree["econ"].pk).exists()


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def list_paths(client) -> list[str]:
    schema = client.get("/api/schema/?format=json").json()
    return [
        path
        for path, operations in sorted(schema["paths"].items())
        if "get" in operations
        and "{" not in path
        and not path.startswith(("/api/schema/", "/api/docs/"))
    ]


def test_every_list_answers_in_a_few_queries(demo, make_user, django_assert_max_num_queries):
    """Token, granted zones, the page, its count, a prefetch: never one query per row."""
    from zoneops.core.models import Zone

    zone = Zone.objects.filter(parent__isnull=False).order_by("depth", "pk").first()
    staff = make_user("api-staff", Role.STAFF, [zone])
    admin = make_user("api-admin", Role.ADMIN)
    for user in (staff, admin):
        client = token_client(user)
        for path in list_paths(token_client(admin)):
            with django_assert_max_num_queries(7):
                response = client.get(path)
            assert response.status_code in (200, 400, 403), (path, response.status_code)
