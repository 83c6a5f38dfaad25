"""三员分立 (等保 2.0): the system, security and audit administrators each do their own duty only.

Decisions in the closed loops are tested where the loops live: the system administrator may not
approve an appeal's extension (appeals/tests/test_loop.py) nor verify or close a hazard
(hazards/tests/test_hazards.py); no administrator takes a loop decision (test_loop_extensions).
"""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from zoneops.core.access.permissions import role_may
from zoneops.core.accounts import services as account_services
from zoneops.core.loop import services
from zoneops.core.models import ObjectChange, SecurityEvent, Zone


@pytest.fixture
def enterprise(zone_tree):
    from zoneops.enterprises.models import Enterprise
    from zoneops.enterprises.uscc import check_char

    body = "91220101MA0000001"
    return Enterprise.objects.create(
        uscc=body + check_char(body), name="长春光电科技有限公司", zone=zone_tree["park"]
    )


def api(user):
    client = Client()
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def xlsx_text(response) -> str:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)


# The audit administrator ------------------------------------------------------------------------


def test_auditor_gets_no_domain_page_or_api(client_for, users, zone_tree, enterprise):
    client = client_for(users["auditor"])
    for path in [
        "/zones/",
        f"/zones/{zone_tree['park'].pk}/",
        "/departments/",
        "/enterprises/",
        f"/enterprises/{enterprise.pk}/",
        "/projects/",
        "/appeals/",
        "/hazards/",
        "/dashboard/",
        "/cases/",
    ]:
        assert client.get(path).status_code in (403, 404), path
    token = api(users["auditor"])
    for path in ["/api/zones/", "/api/enterprises/", "/api/projects/"]:
        response = token.get(path)
        assert response.status_code == 403 or response.json()["count"] == 0, path
    assert token.get(f"/api/enterprises/{enterprise.pk}/").status_code in (403, 404)
    assert token.patch(f"/api/zones/{zone_tree['park'].pk}/", {"name": "x"}).status_code == 403


def test_auditor_searches_and_exports_the_audit_log_of_every_zone(
    client_for, users, zone_tree, enterprise
):
    client = client_for(users["auditor"])
    rows = client.get("/audit/", {"q": "长春光电"}).context["rows"]
    assert [obj.object_repr for obj, _ in rows] == ["长春光电科技有限公司"]
    rows = client.get("/audit/", {"q": "经开区"}).context["rows"]
    assert rows  # other zones too: the auditor is not scoped
    response = client.get("/audit/", {"q": "长春光电", "export": "xlsx"})
    assert response.status_code == 200 and "长春光电科技有限公司" in xlsx_text(response)
    export = SecurityEvent.objects.get(type="export", username="auditor")
    assert export.detail["model"] == "core.ObjectChange"
    # security events too, page and export
    assert client.get("/security/").status_code == 200
    assert client.get("/security/", {"export": "xlsx"}).status_code == 200
    assert SecurityEvent.objects.filter(
        type="export", username="auditor", detail__model="core.SecurityEvent"
    ).exists()
    # and through the API, read only, each read logged as an export
    token = api(users["auditor"])
    response = token.get("/api/audit/changes/", {"search": "长春光电"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert token.get("/api/audit/security-events/").status_code == 200
    assert SecurityEvent.objects.filter(type="export", detail__api=True).count() == 2


def test_nobody_reads_the_audit_log_but_the_auditor(client_for, users):
    for name in ("admin", "security_admin", "staff", "leader"):
        assert not role_may(users[name], "view", ObjectChange), name
        assert Client().get("/audit/").status_code == 302
        client = Client()
        client.force_login(users[name])
        assert client.get("/audit/").status_code == 403, name
        assert api(users[name]).get("/api/audit/changes/").status_code == 403, name
    for name in ("admin", "staff"):
        assert api(users[name]).get("/api/audit/security-events/").status_code == 403, name


@pytest.mark.parametrize("name", ["admin", "security_admin", "auditor", "staff"])
def test_no_role_edits_or_deletes_the_audit_trail(users, zone_tree, name):
    row = ObjectChange.objects.first()
    event = SecurityEvent.objects.create(type="login", username="x")
    client = api(users[name])
    for path in (f"/api/audit/changes/{row.pk}/", f"/api/audit/security-events/{event.pk}/"):
        assert client.delete(path).status_code in (403, 405)
        assert client.patch(path, {"object_repr": "x"}).status_code in (403, 405)
        assert client.put(path, {"object_repr": "x"}).status_code in (403, 405)
    assert client.post("/api/audit/changes/", {}).status_code in (403, 405)
    for model in (ObjectChange, SecurityEvent):
        assert not any(role_may(users[name], a, model) for a in ("add", "change", "delete"))
    # nor in bulk, from code
    with pytest.raises(PermissionDenied):
        ObjectChange.objects.filter(pk=row.pk).update(object_repr="x")
    with pytest.raises(PermissionDenied):
        ObjectChange.objects.filter(pk=row.pk).delete()
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.all().delete()
    assert ObjectChange.objects.filter(pk=row.pk).exists()


# The security administrator ---------------------------------------------------------------------


def fail_five_logins(username: str) -> None:
    """Five wrong passwords from one address: the account is locked from there."""
    for _i in range(5):
        Client().post(
            "/accounts/login/",
            {"username": username, "password": "wrong"},
            REMOTE_ADDR="10.0.2.1",
        )


def test_security_admin_unlocks_a_locked_account(users):
    fail_five_logins("gx_staff")
    locked = Client().post(
        "/accounts/login/",
        {"username": "gx_staff", "password": "Pw-12345678"},
        REMOTE_ADDR="10.0.2.1",
    )
    assert "锁定" in locked.content.decode()
    # staff and the system administrator may not unlock
    for name in ("staff", "admin", "auditor"):
        with pytest.raises(PermissionDenied):
            account_services.unlock_account("gx_staff", acting_user=users[name])
    client = Client()
    client.force_login(users["security_admin"])
    page = client.get("/security/")
    assert page.status_code == 200 and "gx_staff" in page.content.decode()
    assert client.post("/security/unlock/", {"username": "gx_staff"}).status_code == 302
    unlock = SecurityEvent.objects.get(type=SecurityEvent.Type.UNLOCKED)
    assert unlock.username == "gx_staff" and unlock.detail["unlocked_by"] == "sec_admin"
    response = Client().post(
        "/accounts/login/",
        {"username": "gx_staff", "password": "Pw-12345678"},
        REMOTE_ADDR="10.0.2.1",
    )
    assert response.status_code == 302


def test_an_unlock_logged_before_its_own_event_type_still_counts(users):
    """Audit rows are never rewritten: the older LOCKED_OUT + action=unlock rows keep working."""
    from zoneops.core.accounts import security

    fail_five_logins("gx_staff")
    assert security.lockout_remaining("gx_staff", "10.0.2.1") is not None
    security.log_event(SecurityEvent.Type.LOCKED_OUT, user=users["staff"], action=security.UNLOCK)
    assert security.lockout_remaining("gx_staff", "10.0.2.1") is None


def test_security_admin_cannot_touch_data_or_accounts(users, enterprise, zone_tree):
    user = users["security_admin"]
    client = Client()
    client.force_login(user)
    assert client.get(f"/enterprises/{enterprise.pk}/edit/").status_code in (403, 404)
    response = client.post(f"/enterprises/{enterprise.pk}/edit/", {"name": "改名"})
    assert response.status_code in (403, 404)
    assert api(user).patch(
        f"/api/enterprises/{enterprise.pk}/",
        {"name": "改名"},
        content_type="application/json",
    ).status_code in (403, 404)
    enterprise.refresh_from_db()
    assert enterprise.name == "长春光电科技有限公司"
    assert client.get("/zones/add/").status_code == 403
    # no account creation: the admin site is the system administrator's
    assert client.get("/admin/core/user/add/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/security/").status_code == 200


# The system administrator -----------------------------------------------------------------------


def test_system_admin_keeps_accounts_zones_and_departments_but_not_the_logs(client_for, users):
    client = client_for(users["admin"])
    assert client.get("/zones/add/").status_code == 200
    assert client.get("/departments/add/").status_code == 200
    assert client.get("/admin/core/user/add/").status_code == 200
    assert client.get("/security/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/admin/core/objectchange/").status_code == 403  # superuser or not
    # the admin site changes no domain record (its rules live in the services)
    assert client.get("/admin/enterprises/enterprise/").status_code == 200
    assert client.get("/admin/enterprises/monthapproval/add/").status_code == 403
    assert client.get("/admin/projects/project/add/").status_code == 403


def test_system_admin_does_not_approve_figures(users, zone_tree):
    from zoneops.enterprises import services as enterprise_services
    from zoneops.indicators import services as indicator_services

    with pytest.raises(PermissionDenied):
        enterprise_services.approve_month(zone_tree["hitech"], 2025, 9, acting_user=users["admin"])
    with pytest.raises(PermissionDenied):
        indicator_services.approve_month(
            zone=zone_tree["hitech"], year=2025, month=9, acting_user=users["admin"]
        )
    enterprise_services.approve_month(zone_tree["hitech"], 2025, 9, acting_user=users["staff"])


def test_system_admin_does_not_review_intake_statements(users):
    from zoneops.intake.models import Statement

    assert role_may(users["admin"], "view", Statement)
    assert not role_may(users["admin"], "change", Statement)
    assert role_may(users["staff"], "change", Statement)


def test_administrators_cannot_be_made_case_handlers(users, zone_tree):
    from django.core.exceptions import ValidationError

    from zoneops.core.models import Department

    department = Department.objects.create(zone=zone_tree["hitech"], name="应急管理局")
    case = services.open_case(
        kind="standard", zone=zone_tree["park"], title="测试", acting_user=users["staff"]
    )
    services.do_transition(case, "accept", acting_user=users["staff"])
    with pytest.raises(ValidationError):
        services.do_transition(
            case,
            "assign",
            acting_user=users["staff"],
            department=department,
            handler=users["admin"],
        )


def test_demo_has_one_of_each_administrator(db):
    from zoneops.core.models import Role
    from zoneops.core.ops.demo import DEMO_USERS

    roles = [role for _u, _s, _g, role, _z in DEMO_USERS]
    assert roles.count(Role.SECURITY_ADMIN) == 1 and roles.count(Role.AUDITOR) == 1


def test_role_labels_in_chinese(db):
    from django.utils import translation

    from zoneops.core.models import Role

    with translation.override("zh-hans"):
        assert [str(Role(r).label) for r in ("admin", "security_admin", "auditor")] == [
            "系统管理员",
            "安全管理员",
            "审计管理员",
        ]


# Retention (等保 2.0: audit records kept at least 180 days) ---------------------------------------


def test_retention_below_180_days_is_refused_at_start_up(settings):
    from zoneops.core.ops.checks import audit_retention

    settings.ZONEOPS_AUDIT_RETENTION_DAYS = 179
    (error,) = audit_retention()
    assert error.id == "zoneops.E001" and "180" in error.msg
    settings.ZONEOPS_AUDIT_RETENTION_DAYS = 180
    assert audit_retention() == []


def test_purge_refuses_rows_younger_than_the_retention(zone_tree, settings):
    from django.core.management import CommandError, call_command

    old = ObjectChange.objects.first()
    QuerySet.update(
        ObjectChange.objects.filter(pk=old.pk), time=timezone.now() - dt.timedelta(days=400)
    )
    young_count = ObjectChange.objects.count() - 1
    for days in (30, 179):
        with pytest.raises(CommandError):
            call_command("purge_audit", "--older-than-days", str(days))
    settings.ZONEOPS_AUDIT_RETENTION_DAYS = 365
    with pytest.raises(CommandError):
        call_command("purge_audit", "--older-than-days", "200")
    assert ObjectChange.objects.count() == young_count + 1
    out = io.StringIO()
    call_command("purge_audit", "--older-than-days", "365", stdout=out)
    assert ObjectChange.objects.count() == young_count
    assert not ObjectChange.objects.filter(pk=old.pk).exists()
    assert Zone.objects.count() == 7  # the records themselves stay


def test_deleting_a_user_keeps_their_audit_rows(users, zone_tree):
    from zoneops.core.access.context import acting_as

    with acting_as(users["staff"]):
        zone_tree["park"].name = "光电信息产业园"
        zone_tree["park"].save()
    rows = ObjectChange.objects.filter(user_name="gx_staff")
    assert rows.count() == 1
    users["staff"].delete()
    assert rows.count() == 1 and rows.get().user_id is None  # the name stays on the row
