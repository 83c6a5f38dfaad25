"""Roles, zone grants and permissions: nobody changes its own, the security administrator
gives them, no person holds two administrator duties, superusers included (issue #17, 3)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from zoneops.core.accounts import services as account_services
from zoneops.core.models import Role, SecurityEvent, User


def admin_change_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "role": user.role,
        "department": "",
        "phone": "",
        "must_change_password": "",
        "password_changed_at_0": "",
        "password_changed_at_1": "",
        "is_superuser": "on" if user.is_superuser else "",
        "is_staff": "on" if user.is_staff else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_system_admin_cannot_give_itself_the_auditor_role_in_django_admin(
    client_for, users, zone_tree
):
    admin = users["admin"]
    client = client_for(admin)
    url = f"/admin/core/user/{admin.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, admin_change_data(admin, role=Role.AUDITOR, zones=[zone_tree["econ"].pk])
    )
    assert response.status_code == 302  # saved, without the fields it may not change
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert not admin.zones.exists()


def test_the_system_admin_cannot_give_roles_or_zones_to_others_in_django_admin(
    client_for, users, zone_tree
):
    staff = users["staff"]
    response = client_for(users["admin"]).post(
        f"/admin/core/user/{staff.pk}/change/",
        admin_change_data(staff, role=Role.SECURITY_ADMIN, is_superuser="on"),
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.STAFF and not staff.is_superuser


def test_the_system_admin_creates_accounts(client_for, users):
    response = client_for(users["admin"]).post(
        "/admin/core/user/add/",
        {"username": "newcomer", "password1": "Xq-83!vLp02k", "password2": "Xq-83!vLp02k",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    created = User.objects.get(username="newcomer")
    assert created.role == Role.STAFF and not created.zones.exists()


@pytest.mark.parametrize("role", ["staff", "liaison", "leader", "security_admin", "auditor"])
def test_only_the_system_admin_opens_accounts_in_django_admin(role, client_for, users):
    assert client_for(users[role]).get("/admin/core/user/add/").status_code in (302, 403)


def test_the_security_admin_gives_roles_and_zones_and_it_is_audited(client_for, users, zone_tree):
    staff = users["staff"]
    client = client_for(users["security_admin"])
    response = client.post(
        "/security/access/", {"username": staff.username, "role": "leader", "zones": "JK, GX"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.LEADER
    assert set(staff.zones.values_list("code", flat=True)) == {"GX", "JK"}
    event = SecurityEvent.objects.get(type=SecurityEvent.Type.ACCESS_CHANGED)
    assert event.detail["before"]["role"] == "staff"
    assert event.detail["after"] == {"role": "leader", "zones": ["GX", "JK"]}
    assert event.detail["changed_by"] == users["security_admin"].username
    page = client_for(users["auditor"]).get("/security/", {"type": "access_changed"})
    assert staff.username in page.content.decode()


@pytest.mark.parametrize("role", ["admin", "staff", "liaison", "leader", "auditor"])
def test_no_other_role_gives_roles(role, client_for, users):
    target = users["other_staff"]
    response = client_for(users[role]).post(
        "/security/access/", {"username": target.username, "role": "admin", "zones": ""}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.STAFF
    with pytest.raises(PermissionDenied):
        account_services.grant_access(target, role="admin", zones=[], acting_user=users[role])


def test_the_security_admin_cannot_change_its_own_role(client_for, users):
    me = users["security_admin"]
    client_for(me).post("/security/access/", {"username": me.username, "role": "auditor"})
    me.refresh_from_db()
    assert me.role == Role.SECURITY_ADMIN
    with pytest.raises(PermissionDenied):
        account_services.grant_access(me, role="admin", zones=[], acting_user=me)


def test_two_administrator_duties_in_one_account_are_refused(users):
    with pytest.raises(ValidationError):
        account_services.grant_access(
            users["admin"], role=Role.AUDITOR, zones=[], acting_user=users["security_admin"]
        )
    users["admin"].refresh_from_db()
    assert users["admin"].role == Role.ADMIN
    auditor = users["auditor"]
    auditor.is_superuser = True
    with pytest.raises(ValidationError):
        auditor.save()


def test_createsuperuser_and_createadmin_make_a_system_administrator_only(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Xq-83!vLp02k")
    call_command("createsuperuser", "--noinput", username="root", email="r@example.cn")
    assert User.objects.get(username="root").role == Role.ADMIN
    call_command("createadmin", username="root2")
    assert User.objects.get(username="root2").role == Role.ADMIN
    with pytest.raises(ValueError):
        User.objects.create_superuser("root3", password="x", role=Role.AUDITOR)


def test_a_superuser_has_no_bypass(users, zone_tree):
    assert not users["staff"].is_zone_admin
    admin = users["admin"]
    assert admin.is_superuser
    with pytest.raises(PermissionDenied):
        account_services.grant_access(users["staff"], role="leader", zones=[], acting_user=admin)
