"""The pages a liaison cadre and zone staff work with, and the REST API."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from zoneops.core.ui.testing import field_error
from zoneops.enterprises import services
from zoneops.enterprises.models import (
    Contact,
    CultivationEntry,
    LiaisonAssignment,
    MonthApproval,
    Visit,
)
from zoneops.enterprises.tests.factories import certify, enterprise, figure

pytestmark = pytest.mark.django_db


def test_liaison_sees_own_enterprises_first_and_records_a_visit(client_for, users, zone_tree):
    others = [enterprise(zone_tree["park"], i, name=f"甲企业{i}") for i in range(3)]
    mine = enterprise(zone_tree["park"], 9, name="乙企业")
    LiaisonAssignment.objects.create(enterprise=mine, user=users["liaison"])
    client = client_for(users["liaison"])
    response = client.get("/enterprises/")
    rows = [obj for obj, _cells in response.context["rows"]]
    assert rows[0] == mine and set(rows[1:]) == set(others)
    response = client.get("/enterprises/", {"mine": "true"})
    assert [obj for obj, _c in response.context["rows"]] == [mine]
    response = client.post(
        "/enterprises/visits/add/",
        {"enterprise": mine.uscc, "visited_on": "2025-03-01", "findings": "融资难"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.cadre == users["liaison"]
    response = client.post(
        "/enterprises/pool/add/",
        {
            "enterprise": mine.uscc,
            "target": "scale_up",
            "target_year": "2025",
            "status": "active",
            "entered_on": "2025-03-01",
        },
    )
    assert response.status_code == 302
    entry = CultivationEntry.objects.get()
    response = client.post(
        "/enterprises/measures/add/",
        {
            "entry": entry.pk,
            "measure": "协调贷款",
            "status": "planned",
            "cadre": users["liaison"].pk,
        },
    )
    assert response.status_code == 302
    assert entry.measures.count() == 1
    response = client.post(entry.get_absolute_url(), {"text": "已对接银行"})
    entry.refresh_from_db()
    assert "已对接银行" in entry.progress


def test_leader_sees_masked_phones_everywhere(client_for, users, zone_tree):
    ent = enterprise(zone_tree["park"], 1)
    contact = Contact.objects.create(enterprise=ent, name="王总", phone="13812341234")
    leader = client_for(users["leader"])
    page = leader.get("/enterprises/contacts/").content.decode()
    assert "138****1234" in page and "13812341234" not in page
    export = leader.get("/enterprises/contacts/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert "138****1234" in cells and "13812341234" not in cells
    history = leader.get(contact.get_absolute_url(), {"tab": "history"}).content.decode()
    assert "13812341234" not in history
    assert "13812341234" not in leader.get(ent.get_absolute_url()).content.decode()
    api = leader.get("/api/contacts/").json()
    assert api["results"][0]["phone"] == "138****1234"
    liaison = client_for(users["liaison"])  # the same test client, now the liaison cadre
    assert "13812341234" in liaison.get("/enterprises/contacts/").content.decode()


def test_pyramid_page_drills_down(client_for, users, zone_tree):
    today = services.today()
    a = enterprise(zone_tree["park"], 1)
    certify(a, "hnte", today - dt.timedelta(days=10))
    b = enterprise(zone_tree["econ"], 2)
    certify(b, "hnte", today - dt.timedelta(days=10))
    client = client_for(users["staff"])
    response = client.get("/enterprises/pyramid/", {"zone": zone_tree["hitech"].pk})
    levels = {lv.tier: lv.holders for lv in response.context["pyramid"].levels}
    assert levels["hnte"] == 1
    assert client.get("/enterprises/pyramid/", {"zone": zone_tree["econ"].pk}).status_code == 404
    drill = client.get("/enterprises/", {"tier_held": "hnte", "within": zone_tree["hitech"].pk})
    assert [o for o, _c in drill.context["rows"]] == [a]


def test_candidates_coverage_and_expiring_pages_export(client_for, users, zone_tree):
    today = services.today()
    ent = enterprise(zone_tree["park"], 1)
    figure(ent, 2024, 12, 2500)
    figure(ent, 2025, 12, 2600)
    big = enterprise(zone_tree["park"], 2, above_scale=True)
    certify(big, "hnte", today - dt.timedelta(days=3 * 365 - 40))  # expires in ~40 days
    client = client_for(users["staff"])
    response = client.get("/enterprises/candidates/", {"zone": zone_tree["hitech"].pk})
    assert response.context["count"] == 1
    export = client.get("/enterprises/candidates/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet.max_row == 2
    coverage = client.get("/enterprises/coverage/", {"days": "30"})
    assert [o for o, _c in coverage.context["rows"]] == [big]
    assert client.get("/enterprises/coverage/", {"export": "xlsx"}).status_code == 200
    assert client.get("/enterprises/visited-too-often/").status_code == 200
    expiring = client.get("/enterprises/certifications/expiring/", {"days": "60"})
    assert len(expiring.context["rows"]) == 1
    expiring = client.get("/enterprises/certifications/expiring/", {"days": "30"})
    assert len(expiring.context["rows"]) == 0


def test_month_approval_pages(client_for, users, zone_tree):
    staff = client_for(users["staff"])
    response = staff.post(
        "/enterprises/approvals/add/",
        {"zone": zone_tree["hitech"].code, "year": "2025", "month": "3"},
    )
    assert response.status_code == 302
    approval = MonthApproval.objects.get()
    admin = client_for(users["admin"])
    admin.post(approval.get_absolute_url(), {"action": "reopen", "reason": "x"})
    approval.refresh_from_db()
    assert approval.approved  # 三员分立: the system administrator takes no data decision
    staff = client_for(users["staff"])
    staff.post(approval.get_absolute_url(), {"action": "reopen", "reason": "统计局更正"})
    approval.refresh_from_db()
    assert not approval.approved and approval.reason == "统计局更正"


def test_api_enterprises_and_visits(client_for, users, zone_tree):
    ent = enterprise(zone_tree["park"], 1)
    enterprise(zone_tree["econ"], 2)
    client = client_for(users["staff"])
    data = client.get("/api/enterprises/").json()
    assert [row["uscc"] for row in data["results"]] == [ent.uscc]
    bad = client.post(
        "/api/enterprises/",
        {"uscc": "91350100M000100Y44", "name": "x", "zone": zone_tree["park"].pk},
        content_type="application/json",
    )
    assert bad.status_code == 400 and field_error(bad, "uscc")
    liaison = client_for(users["liaison"])
    created = liaison.post(
        "/api/visits/",
        {"enterprise": ent.pk, "visited_on": "2025-01-02", "findings": "正常"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Visit.objects.get().cadre == users["liaison"]
    assert liaison.post("/api/enterprises/", {}, content_type="application/json").status_code == 403
    assert client.get("/api/industries/", {"search": "生物药品"}).json()["count"] >= 1


def test_demo_reproduces_the_seed_figures(db):
    from zoneops.core.models import Zone
    from zoneops.core.ops.demo import seed_demo

    seed_demo()
    seed_demo()  # idempotent
    zone = Zone.objects.get(code="CCGX")
    levels = {lv.tier: lv.holders for lv in services.pyramid(zone).levels}
    assert levels["hnte"] == 631 and levels["little_giant"] == 19
    from zoneops.enterprises.models import Enterprise

    assert Enterprise.objects.filter(name__contains="金赛药业").exists()
    assert Enterprise.objects.get(name__contains="华微电子").zone.code == "JLGX"
    synthetic = Enterprise.objects.filter(zone=zone, source__startswith="演示数据（虚构）").count()
    assert synthetic >= 631 - 2
    assert services.revival_progress(Zone.objects.get(code="JLGX"), 2024).target == 4


def test_filtering_by_enterprise_id_or_code(client_for, users, zone_tree):
    """The filter is a plain function given to django-filter: it takes no ``self``."""
    import datetime as dt

    from rest_framework.test import APIClient

    from zoneops.enterprises.models import Visit
    from zoneops.enterprises.tests import factories

    first = factories.enterprise(zone_tree["park"], 1)
    second = factories.enterprise(zone_tree["park"], 2)
    for ent in (first, second):
        Visit.objects.create(
            enterprise=ent, cadre=users["liaison"], visited_on=dt.date(2025, 10, 9)
        )
    api = APIClient()
    api.force_authenticate(users["staff"])
    for value in (str(first.pk), first.uscc):
        response = api.get("/api/visits/", {"enterprise": value})
        assert response.status_code == 200
        assert [row["enterprise"] for row in response.json()["results"]] == [first.pk]


def test_visited_too_often_opens_on_the_latest_month_with_visits_and_remembers_the_choice(
    client_for, users, zone_tree
):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 10), tick=False):
        ent = enterprise(zone_tree["park"], 1)
        for day in (3, 9, 15, 21):
            Visit.objects.create(
                enterprise=ent, visited_on=dt.date(2026, 1, day), cadre=users["liaison"]
            )
        client = client_for(users["staff"])
        # March has hardly begun and February had no visit: it opens on January.
        response = client.get("/enterprises/visited-too-often/")
        assert response.context["month"] == "2026-01"
        assert [o for o, _c in response.context["rows"]] == [ent]
        chosen = client.get("/enterprises/visited-too-often/", {"month": "2026-02"})
        assert chosen.context["rows"] == []
        assert client.get("/enterprises/visited-too-often/").context["month"] == "2026-02"
        # Another zone's visits do not move it for someone who does not see them.
        other = client_for(users["other_staff"]).get("/enterprises/visited-too-often/")
        assert other.context["month"] == "2026-03"
