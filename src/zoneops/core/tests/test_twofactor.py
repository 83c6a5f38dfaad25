"""The second factor (TOTP): enrolment, login with a code, single use, lockout, administrators."""

import re
import time

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from zoneops.core.accounts import services as account_services
from zoneops.core.accounts import twofactor
from zoneops.core.models import Role, SecurityEvent, User


@pytest.fixture(autouse=True)
def _required(settings):
    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = True


def login(client, username, password="Pw-12345678", address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def code_for(user, offset_steps=0):
    secret, _last = twofactor.split(User.objects.get(pk=user.pk).totp_secret)
    return pyotp.TOTP(secret).at(time.time() + offset_steps * 30)


def enrol(client):
    """Open the enrolment page, read the key off it and confirm with the app's code."""
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, inline-free under the CSP
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    response = client.post("/accounts/two-factor/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def test_administrator_without_second_factor_must_enrol_first(make_user, zone_tree):
    admin = make_user("sysadmin", Role.ADMIN)
    client = Client()
    assert login(client, "sysadmin").status_code == 302
    for path in ("/", "/zones/", "/enterprises/", "/security/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert client.get("/api/zones/").status_code == 403  # the API too
    secret = enrol(client)
    admin.refresh_from_db()
    assert admin.has_second_factor and twofactor.split(admin.totp_secret)[0] == secret
    assert client.get("/zones/").status_code == 200
    # the next login asks for the code after the password
    client = Client()
    response = login(client, "sysadmin")
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/zones/").status_code == 302  # not logged in yet
    # the code used to confirm the enrolment cannot log in again (same time step)
    assert (
        client.post("/accounts/login/code/", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    )
    response = client.post("/accounts/login/code/", {"code": code_for(admin, 1)})
    assert response.status_code == 302
    assert client.get("/zones/").status_code == 200


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDITOR])
def test_security_and_audit_administrators_must_enrol_too(make_user, role):
    make_user("someone", role)
    client = Client()
    login(client, "someone")
    assert client.get("/audit/")["Location"] == "/accounts/two-factor/"


def test_superuser_must_enrol(make_user):
    make_user("root", Role.ADMIN, is_superuser=True)
    client = Client()
    login(client, "root")
    assert client.get("/")["Location"] == "/accounts/two-factor/"


def test_requirement_can_be_turned_off_for_development(make_user, settings):
    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = False
    make_user("sysadmin", Role.ADMIN)
    client = Client()
    login(client, "sysadmin")
    assert client.get("/zones/").status_code == 200


def test_optional_for_staff(users):
    client = Client()
    login(client, "gx_staff")
    assert client.get("/zones/").status_code == 200  # no second factor needed
    enrol(client)
    enrolled = SecurityEvent.objects.get(type=SecurityEvent.Type.SECOND_FACTOR_ENROLLED)
    assert enrolled.username == "gx_staff" and enrolled.path == "/accounts/two-factor/"
    client.post("/accounts/logout/")
    client = Client()
    assert login(client, "gx_staff")["Location"] == "/accounts/login/code/"
    # staff may turn it off again with a current code; administrators may not
    client.post("/accounts/login/code/", {"code": code_for(users["staff"], 1)})
    response = client.post("/accounts/two-factor/", {"code": code_for(users["staff"], -1)})
    assert response.status_code == 200  # an earlier step than the last used one: refused
    assert User.objects.get(pk=users["staff"].pk).has_second_factor


def test_codes_are_single_use(users):
    admin = users["admin"]
    code = code_for(admin)
    assert account_services.use_second_factor(admin, code)
    assert not account_services.use_second_factor(admin, code)  # replay within its window
    assert not account_services.use_second_factor(admin, code_for(admin, -1))  # an older one
    assert not account_services.use_second_factor(admin, "000000" if code != "000000" else "111111")
    assert account_services.use_second_factor(admin, code_for(admin, 1))  # the next step once


def test_wrong_codes_count_toward_the_lockout(users):
    client = Client()
    for attempt in range(5):
        assert login(client, "admin", address="10.0.0.7")["Location"] == "/accounts/login/code/"
        response = client.post("/accounts/login/code/", {"code": "123456"}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 200, attempt
    failures = SecurityEvent.objects.filter(type="login_failed", username="admin")
    assert failures.count() == 5 and failures.first().detail == {"factor": "totp"}
    # locked now: even the right password and code do not get in
    response = login(client, "admin", address="10.0.0.7")
    assert "锁定" in response.content.decode()


def test_pending_login_expires(users):
    client = Client()
    login(client, "admin")
    session = client.session
    session["zoneops_pending_second_factor"]["since"] = time.time() - 600
    session.save()
    response = client.post("/accounts/login/code/", {"code": code_for(users["admin"])})
    assert response["Location"] == "/accounts/login/"
    assert client.get("/zones/").status_code == 302


def test_administrators_keep_their_second_factor_and_security_admin_resets_it(users):
    admin = users["admin"]
    with pytest.raises(Exception):  # noqa: B017  (PermissionDenied)
        account_services.remove_second_factor(admin, acting_user=admin, code=code_for(admin))
    client = Client()
    client.force_login(users["security_admin"])
    response = client.post("/security/reset-second-factor/", {"username": "admin"})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.has_second_factor and admin.totp_confirmed_at is None
    removed = SecurityEvent.objects.get(type=SecurityEvent.Type.SECOND_FACTOR_REMOVED)
    assert removed.username == "admin" and removed.detail == {"removed_by": "sec_admin"}
    # audited (the secret itself is not written to the trail)
    from zoneops.core.models import ObjectChange

    change = ObjectChange.objects.filter(object_repr="admin", action="update").first()
    assert "totp_confirmed_at" in change.changes and "totp_secret" not in change.changes


def test_enrolment_with_a_wrong_code_changes_nothing(users):
    client = Client()
    client.force_login(users["staff"])
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "12345"})
    assert response.status_code == 200
    assert not User.objects.get(pk=users["staff"].pk).has_second_factor
    assert users["staff"].totp_confirmed_at is None
    assert timezone.now()  # (the page is shown again with the error)


def test_the_admin_site_has_no_login_of_its_own(db, client):
    """Its form would check the password only: it sends people to the one with the lockout and
    the second factor."""
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = client.post("/admin/login/", {"username": "admin", "password": "Pw-12345678"})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
