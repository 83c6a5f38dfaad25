from decimal import Decimal

import pytest
from django.urls import reverse

from zoneops.core.ui.testing import ScopedViewTests
from zoneops.investment.models import AnnualTarget, Event, FundsInPlace, Lead, Signing
from zoneops.investment.tests.factories import D, make_lead, sign


@pytest.mark.django_db
class TestLeadViews(ScopedViewTests):
    model = Lead
    url_base = "investment:lead"
    search_term = "测试线索1"

    def make(self, zone, index=0):
        return make_lead(zone, index)

    def form_data(self, zone):
        return {
            "name": "新能源电池项目",
            "zone": zone.pk,
            "investor_company": "宁德某新能源公司",
            "contact_name": "陈总",
            "contact_phone": "13900001111",
            "source_division": "350900",
            "method": "business",
            "intended_investment": "200000",
            "received_on": "2025-03-03",
        }

    def test_new_lead_gets_region_and_deadlines(self, client_for, users, zone_tree):
        client_for(users["staff"]).post(self.url("add"), self.form_data(zone_tree["park"]))
        lead = Lead.objects.get(name="新能源电池项目")
        assert lead.source_region == "other"
        assert (lead.first_contact_due, lead.assessment_due) == (D(2025, 3, 4), D(2025, 3, 6))
        assert lead.stage_changes.count() == 1

    def test_bad_region_code_is_refused(self, client_for, users, zone_tree):
        response = client_for(users["staff"]).post(
            self.url("add"), self.form_data(zone_tree["park"]) | {"source_division": "990000"}
        )
        assert response.status_code == 200
        assert "GB/T 2260" in response.content.decode()

    def test_phone_is_masked_for_leaders(self, client_for, users, zone_tree):
        lead = make_lead(zone_tree["park"], 1)
        staff_page = client_for(users["staff"]).get(self.url("detail", lead.pk)).content.decode()
        assert "13812341234" in staff_page
        leader = client_for(users["leader"])
        assert "13812341234" not in leader.get(self.url("detail", lead.pk)).content.decode()
        listing = leader.get(self.url("list")).content.decode()
        assert "138****1234" in listing and "13812341234" not in listing
        api = leader.get("/api/leads/").json()["results"]
        assert api[0]["contact_phone"] == "138****1234"

    def test_overdue_response_is_shown(self, client_for, users, zone_tree):
        make_lead(zone_tree["park"], 1, received_on=D(2025, 3, 3))
        page = client_for(users["staff"]).get(self.url("list")).content.decode()
        assert "首次接洽超期" in page
        overdue = client_for(users["staff"]).get(self.url("list"), {"overdue": "true"})
        assert len(overdue.context["rows"]) == 1


@pytest.mark.django_db
class TestEventViews(ScopedViewTests):
    model = Event
    url_base = "investment:event"
    search_term = "发布会1"

    def make(self, zone, index=0):
        return Event.objects.create(
            name=f"招商发布会{index}", zone=zone, kind="conference", date=D(2025, 4, 10)
        )

    def form_data(self, zone):
        return {"name": "产业论坛", "zone": zone.pk, "kind": "forum", "date": "2025-06-01"}


@pytest.mark.django_db
class TestSigningViews(ScopedViewTests):
    model = Signing
    url_base = "investment:signing"
    search_term = "测试线索41"

    def make(self, zone, index=0):
        lead = make_lead(zone, 40 + index)
        return sign(lead, D(2025, 4, 10), "10000")

    def form_data(self, zone):
        lead = make_lead(zone, 99)
        return {"lead": lead.pk, "signed_on": "2025-05-01", "amount": "30000"}

    def test_capital_increase_rule_shows_in_the_form(self, client_for, users, zone_tree):
        lead = make_lead(zone_tree["park"], 1)
        sign(lead, D(2025, 4, 10), "10000")
        response = client_for(users["staff"]).post(
            self.url("add"),
            {
                "lead": lead.pk,
                "signed_on": "2025-05-01",
                "amount": "9000",
                "is_capital_increase": "on",
            },
        )
        assert response.status_code == 200
        assert "增资" in response.content.decode()
        assert lead.signings.count() == 1


@pytest.mark.django_db
class TestFundsViews(ScopedViewTests):
    model = FundsInPlace
    url_base = "investment:fundsinplace"
    search_term = "测试线索51"

    def make(self, zone, index=0):
        lead = make_lead(zone, 50 + index)
        sign(lead, D(2025, 4, 10), "10000")
        return FundsInPlace.objects.create(lead=lead, year=2025, month=5, amount=Decimal("100"))

    def form_data(self, zone):
        lead = make_lead(zone, 98)
        sign(lead, D(2025, 4, 10), "10000")
        return {"lead": lead.pk, "year": "2025", "month": "6", "amount": "500"}


@pytest.mark.django_db
class TestTargetViews(ScopedViewTests):
    model = AnnualTarget
    url_base = "investment:annualtarget"
    search_term = "光电产业园"

    def make(self, zone, index=0):
        return AnnualTarget.objects.create(
            zone=zone, year=2000 + index, signed_landed=30, funds_in_place=Decimal("1160000")
        )

    def form_data(self, zone):
        return {
            "zone": zone.pk,
            "year": "2026",
            "signed_landed": "30",
            "funds_in_place": "1160000",
            "big_projects_started": "5",
        }


@pytest.mark.django_db
def test_kanban_drag_moves_a_lead_with_htmx(client_for, users, zone_tree):
    lead = make_lead(zone_tree["park"], 1)
    client = client_for(users["staff"])
    page = client.get(reverse("investment:kanban"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-move-url="/investment/leads/{lead.pk}/move/"' in body
    assert "<script>" not in body
    response = client.post(
        reverse("investment:lead_move", args=[lead.pk]),
        {"stage": "contact"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="kanban-board"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "contact"
    refused = client.post(
        reverse("investment:lead_move", args=[lead.pk]),
        {"stage": "signed"},
        HTTP_HX_REQUEST="true",
    )
    assert "签约" in refused.content.decode() and 'id="move-error"' in refused.content.decode()
    funnel = {row["stage"]: row["reached"] for row in refused.context["funnel"]}
    assert funnel["lead"] == 1 and funnel["contact"] == 1 and funnel["visit"] == 0
    leader = client_for(users["leader"]).post(
        reverse("investment:lead_move", args=[lead.pk]), {"stage": "visit"}
    )
    assert leader.status_code == 404


@pytest.mark.django_db
def test_lead_page_walks_to_landing(client_for, users, zone_tree):
    lead = make_lead(zone_tree["park"], 1)
    client = client_for(users["staff"])
    client.post(
        reverse("investment:lead_follow_up", args=[lead.pk]),
        {"date": "2025-03-04", "kind": "assessment", "text": "研判通过"},
    )
    client.post(
        reverse("investment:signing_add"),
        {"lead": lead.pk, "signed_on": "2025-04-10", "amount": "120000"},
    )
    response = client.post(
        reverse("investment:lead_land", args=[lead.pk]), {"code": "GX-2025-L1", "on": "2025-05-06"}
    )
    lead.refresh_from_db()
    assert lead.project is not None and response["Location"] == lead.project.get_absolute_url()
    project_page = client.get(lead.project.get_absolute_url()).content.decode()
    assert lead.get_absolute_url() in project_page  # the link back to the lead


@pytest.mark.django_db
def test_progress_page_shows_targets_and_events(client_for, users, zone_tree):
    AnnualTarget.objects.create(
        zone=zone_tree["hitech"], year=2025, signed_landed=30, funds_in_place=Decimal("1160000")
    )
    event = Event.objects.create(
        name="招商发布会", zone=zone_tree["hitech"], kind="conference", date=D(2025, 4, 10)
    )
    lead = make_lead(zone_tree["park"], 1)
    sign(lead, D(2025, 4, 10), "10000", event=event)
    response = client_for(users["staff"]).get(
        reverse("investment:progress"), {"zone": zone_tree["hitech"].pk, "year": 2025}
    )
    assert response.status_code == 200
    assert [(t.event, t.projects) for t in response.context["tallies"]] == [(event, 1)]
    assert 'id="progress-data"' in response.content.decode()


@pytest.mark.django_db
def test_api_moves_and_lands_leads(client_for, users, zone_tree):
    lead = make_lead(zone_tree["park"], 1)
    client = client_for(users["staff"])
    moved = client.post(
        f"/api/leads/{lead.pk}/move/",
        {"stage": "contact"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "contact"
    created = client.post(
        "/api/signings/",
        {"lead": lead.pk, "signed_on": "2025-04-10", "amount": "20000"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["counted"] is True
    landed = client.post(
        f"/api/leads/{lead.pk}/land/",
        {"code": "API-L1"},
        content_type="application/json",
    )
    assert landed.status_code == 201
    again = client.post(
        f"/api/leads/{lead.pk}/land/",
        {"code": "API-L2"},
        content_type="application/json",
    )
    assert again.status_code == 400
    leader = client_for(users["leader"]).post(
        f"/api/leads/{lead.pk}/move/",
        {"stage": "visit"},
        content_type="application/json",
    )
    assert leader.status_code == 403
