"""People pickers (issue 4): a staff member of one zone neither sees nor assigns the people of
another zone, on the pages or through the API."""

import datetime as dt

import pytest
from django.urls import reverse

from zoneops.core.ui.testing import field_error
from zoneops.enterprises.models import LiaisonAssignment, Visit
from zoneops.enterprises.tests.factories import code, enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(zone_tree):
    return enterprise(zone_tree["hitech"], 1)


def test_the_cadre_picker_lists_only_people_within_reach(client_for, users, firm):
    html = client_for(users["staff"]).get(reverse("enterprises:visit_add")).content.decode()
    assert 'value="gx_liaison"' in html and 'value="xq_leader"' in html
    assert 'value="jk_staff"' not in html
    for administrator in ("admin", "sec_admin", "auditor"):
        assert f'value="{administrator}"' not in html
    html = client_for(users["staff"]).get(reverse("enterprises:liaisonassignment_add")).content
    assert b'value="gx_liaison"' in html and b'value="jk_staff"' not in html


def test_another_zones_user_cannot_be_assigned_through_the_forms(client_for, users, firm):
    client = client_for(users["staff"])
    answer = client.post(
        reverse("enterprises:liaisonassignment_add"),
        {"enterprise": code(1), "user": "jk_staff", "since": "2025-01-01"},
    )
    assert answer.status_code == 200 and not LiaisonAssignment.objects.exists()
    assert answer.context["form"].has_error("user")
    answer = client.post(
        reverse("enterprises:visit_add"),
        {"enterprise": code(1), "visited_on": "2025-01-02", "cadre": "jk_staff", "findings": "x"},
    )
    assert answer.status_code == 200 and not Visit.objects.exists()
    assert answer.context["form"].has_error("cadre")


def test_another_zones_user_cannot_be_assigned_through_the_api(client_for, users, firm):
    client = client_for(users["staff"])
    other, mine = users["other_staff"], users["liaison"]
    answer = client.post(
        "/api/liaisons/",
        {"enterprise": firm.pk, "user": other.pk, "since": "2025-01-01"},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "not found" in field_error(answer, "user")
    answer = client.post(
        "/api/visits/",
        {"enterprise": firm.pk, "visited_on": "2025-01-02", "cadre": other.pk},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "not found" in field_error(answer, "cadre")
    answer = client.post(
        "/api/visits/",
        {"enterprise": firm.pk, "visited_on": "2025-01-02", "cadre": users["admin"].pk},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert not Visit.objects.exists() and not LiaisonAssignment.objects.exists()
    answer = client.post(
        "/api/visits/",
        {"enterprise": firm.pk, "visited_on": "2025-01-02", "cadre": mine.pk},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert Visit.objects.get().cadre == mine and Visit.objects.get().visited_on == dt.date(
        2025, 1, 2
    )
