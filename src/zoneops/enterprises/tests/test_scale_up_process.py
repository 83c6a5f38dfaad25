"""升规入统 as a tracked process: 培育 → 申报 → the bureau's decision → 入统 with its date (the
enterprise becomes above scale since then) or refused with the reason; a change by hand only
with a reason, kept as a typed event and in the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.models import ObjectChange
from zoneops.core.ui.testing import token_client
from zoneops.enterprises import services
from zoneops.enterprises.models import Enterprise, ScaleUpApplication, ScaleUpEvent
from zoneops.enterprises.tests.factories import enterprise

pytestmark = pytest.mark.django_db
D = dt.date


def test_admitted_sets_above_scale_since_the_decision(zone_tree, users):
    firm = enterprise(zone_tree["park"], 1)
    staff = users["staff"]
    application = services.start_scale_up(firm, year=2026, on=D(2026, 3, 1), acting_user=staff)
    with pytest.raises(ValidationError):  # one open process per enterprise
        services.start_scale_up(firm, year=2026, acting_user=staff)
    with pytest.raises(ValidationError):  # the bureau decides on an application only
        services.decide_scale_up(application, admitted=True, on=D(2026, 4, 1), acting_user=staff)
    services.apply_scale_up(application, on=D(2026, 4, 10), acting_user=staff)
    with pytest.raises(ValidationError):  # not before the application
        services.decide_scale_up(application, admitted=True, on=D(2026, 4, 9), acting_user=staff)
    services.decide_scale_up(application, admitted=True, on=D(2026, 5, 20), acting_user=staff)
    firm.refresh_from_db()
    application.refresh_from_db()
    assert firm.above_scale and firm.above_scale_since == D(2026, 5, 20)
    assert (application.state, application.admitted_on) == ("admitted", D(2026, 5, 20))
    assert list(application.events.values_list("type", "from_state", "to_state", "on")) == [
        ("started", "", "cultivating", D(2026, 3, 1)),
        ("applied", "cultivating", "applied", D(2026, 4, 10)),
        ("admitted", "applied", "admitted", D(2026, 5, 20)),
    ]
    audit = ObjectChange.objects.filter(content_type__model="enterprise", object_id=firm.pk)
    assert any("above_scale" in c.changes for c in audit)
    with pytest.raises(ValidationError):  # above scale now: nothing to start
        services.start_scale_up(firm, year=2027, acting_user=staff)


def test_refused_needs_the_bureaus_reason_and_changes_nothing(zone_tree, users):
    firm = enterprise(zone_tree["park"], 1)
    staff = users["staff"]
    application = services.start_scale_up(firm, year=2026, acting_user=staff)
    services.apply_scale_up(application, on=D(2026, 4, 10), acting_user=staff)
    with pytest.raises(ValidationError):
        services.decide_scale_up(
            application, admitted=False, on=D(2026, 5, 1), reason=" ", acting_user=staff
        )
    services.decide_scale_up(
        application,
        admitted=False,
        on=D(2026, 5, 1),
        reason="营业收入未达2000万元",
        acting_user=staff,
    )
    firm.refresh_from_db()
    application.refresh_from_db()
    assert not firm.above_scale and firm.above_scale_since is None
    assert application.state == "refused" and application.refusal_reason == "营业收入未达2000万元"
    # A refused enterprise may be cultivated again.
    again = services.start_scale_up(firm, year=2027, acting_user=staff)
    assert again.state == "cultivating"


def test_who_may_record_the_process(zone_tree, users):
    firm = enterprise(zone_tree["park"], 1)
    for name in ("admin", "leader", "liaison", "other_staff"):
        with pytest.raises(PermissionDenied):
            services.start_scale_up(firm, year=2026, acting_user=users[name])
    assert not ScaleUpApplication.objects.exists()


def test_a_change_by_hand_needs_a_reason(zone_tree, users):
    firm = enterprise(zone_tree["park"], 1)
    with pytest.raises(ValidationError):
        services.set_above_scale(
            firm, True, since=D(2025, 1, 1), reason="", acting_user=users["staff"]
        )
    services.set_above_scale(
        firm,
        True,
        since=D(2025, 1, 1),
        reason="名录库核对：2025年已入统",
        acting_user=users["staff"],
    )
    firm.refresh_from_db()
    assert firm.above_scale and firm.above_scale_since == D(2025, 1, 1)
    (event,) = ScaleUpEvent.objects.all()
    assert (event.type, event.comment, event.actor) == (
        "marked_above",
        "名录库核对：2025年已入统",
        users["staff"],
    )


def test_the_edit_page_asks_for_the_reason(zone_tree, users, client_for):
    firm = enterprise(zone_tree["park"], 1, industry=None)
    client = client_for(users["staff"])
    data = {
        "uscc": firm.uscc,
        "name": firm.name,
        "zone": zone_tree["park"].code,
        "status": "operating",
        "above_scale": "on",
        "above_scale_since": "2025-01-01",
    }
    response = client.post(f"/enterprises/{firm.pk}/edit/", data)
    assert response.status_code == 200  # refused: no reason
    firm.refresh_from_db()
    assert not firm.above_scale
    response = client.post(
        f"/enterprises/{firm.pk}/edit/", {**data, "above_scale_reason": "统计局名录库更正"}
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.above_scale and firm.above_scale_since == D(2025, 1, 1)
    assert ScaleUpEvent.objects.get().comment == "统计局名录库更正"
    # Other changes need no reason.
    response = client.post(f"/enterprises/{firm.pk}/edit/", {**data, "name": "改名后的企业"})
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=firm.pk).name == "改名后的企业"


def test_the_api_runs_the_process_and_refuses_a_silent_change(zone_tree, users):
    firm = enterprise(zone_tree["park"], 1)
    api = token_client(users["staff"])
    created = api.post(
        "/api/above-scale-applications/", {"enterprise": firm.pk, "year": 2026}, format="json"
    )
    assert created.status_code == 201, created.content
    url = f"/api/above-scale-applications/{created.json()['id']}/"
    assert api.post(url + "apply/", {"on": "2026-04-10"}, format="json").status_code == 200
    refused = api.post(url + "decide/", {"admitted": False, "on": "2026-05-01"}, format="json")
    assert refused.status_code == 400
    decided = api.post(url + "decide/", {"admitted": True, "on": "2026-05-20"}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "admitted"
    assert [e["type"] for e in decided.json()["events"]] == ["started", "applied", "admitted"]
    firm.refresh_from_db()
    assert firm.above_scale_since == D(2026, 5, 20)
    api.patch(f"/api/enterprises/{firm.pk}/", {"above_scale": False}, format="json")
    firm.refresh_from_db()
    assert firm.above_scale  # read-only in the API
    assert token_client(users["leader"]).post(
        "/api/above-scale-applications/", {"enterprise": firm.pk, "year": 2026}, format="json"
    ).status_code in (403, 400)


def test_the_enterprise_page_shows_the_history(zone_tree, users, client_for):
    firm = enterprise(zone_tree["park"], 1)
    staff = users["staff"]
    application = services.start_scale_up(firm, year=2026, on=D(2026, 3, 1), acting_user=staff)
    services.apply_scale_up(application, on=D(2026, 4, 10), acting_user=staff)
    services.decide_scale_up(application, admitted=True, on=D(2026, 5, 20), acting_user=staff)
    page = client_for(staff).get(f"/enterprises/{firm.pk}/").content.decode()
    history = page.split('id="scale-events"')[1].split("</table>")[0]
    assert "开始培育" in history and "已向统计局申报" in history and "入统" in history
    assert "2026-05-20" in history or "2026年5月20日" in history
