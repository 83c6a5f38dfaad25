import datetime as dt
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from zoneops.core.models import SecurityEvent


def login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short1A!", True),
        ("alllowercase1", False),
        ("Qzwxplm7", True),
        ("Ab1!", False),
        ("ABCDEFGH!!", False),
        ("abcdEFGH!!", True),
    ],
)
def test_password_complexity(db, password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_last_five_passwords_cannot_be_reused(users):
    user = users["staff"]
    passwords = [f"Zone-pass-{i}x" for i in range(6)]
    for password in passwords:
        validate_password(password, user)
        user.set_password(password)
        user.save()
    for recent in passwords[1:]:
        with pytest.raises(ValidationError):
            validate_password(recent, user)
    validate_password(passwords[0], user)  # the sixth-last may come back
    assert SecurityEvent.objects.filter(type="password_changed", user=user).count() == 6


def test_initial_password_must_be_changed_first(users):
    user = users["staff"]
    user.must_change_password = True
    user.save()
    client = Client()
    assert login(client, "gx_staff", "Pw-12345678").status_code == 302
    response = client.get("/zones/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Pw-12345678",
            "new_password1": "New-pass-2025",
            "new_password2": "New-pass-2025",
        },
    )
    assert response.status_code == 302
    assert client.get("/zones/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password and user.password_changed_at


def test_expired_password_must_be_changed(users, settings):
    user = users["staff"]
    user.password_changed_at = timezone.now() - dt.timedelta(days=91)
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get("/zones/")["Location"] == "/accounts/password/"
    settings.ZONEOPS_PASSWORD_MAX_AGE_DAYS = 0
    assert client.get("/zones/").status_code == 200


def test_five_failures_lock_the_account_from_that_address(users):
    client = Client()
    for _i in range(5):
        response = login(client, "gx_staff", "wrong", address="10.0.0.10")
        assert 'id="login-error"' in response.content.decode()
        assert "锁定" not in response.content.decode()
    response = login(client, "gx_staff", "Pw-12345678", address="10.0.0.10")
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert SecurityEvent.objects.filter(type="locked_out", username="gx_staff").exists()
    # 31 minutes later the lock has passed
    # (the audit trail refuses updates; the test moves time by the plain QuerySet's update)
    QuerySet.update(
        SecurityEvent.objects.filter(type="login_failed"),
        time=timezone.now() - dt.timedelta(minutes=31),
    )
    assert login(client, "gx_staff", "Pw-12345678", address="10.0.0.10").status_code == 302


def test_failures_from_elsewhere_do_not_lock_the_owner_out(users):
    client = Client()
    for i in range(5):
        login(client, "gx_staff", "wrong", address=f"10.0.0.{i + 10}")
    for _i in range(5):
        login(client, "gx_staff", "wrong", address="10.0.0.66")
    assert login(client, "gx_staff", "Pw-12345678", address="10.0.0.99").status_code == 302


def test_a_colleagues_typos_do_not_lock_me(users, colleague):
    client = Client()
    nat = "10.20.30.40"  # the whole office behind one address
    for _i in range(6):
        login(client, colleague.username, "typo", address=nat)
    assert "锁定" in login(client, colleague.username, "Pw-12345678", address=nat).content.decode()
    assert login(client, "gx_staff", "Pw-12345678", address=nat).status_code == 302


def test_an_address_failing_on_many_accounts_is_throttled(users, settings):
    settings.ZONEOPS_LOCKOUT_ADDRESS_ACCOUNTS = 10
    client = Client()
    for i in range(9):
        login(client, f"guess{i}", "wrong", address="10.9.9.9")
    assert login(client, "gx_staff", "Pw-12345678", address="10.9.9.9").status_code == 302
    client = Client()
    login(client, "guess9", "wrong", address="10.9.9.9")
    assert "锁定" in login(client, "gx_staff", "Pw-12345678", address="10.9.9.9").content.decode()
    assert login(client, "gx_staff", "Pw-12345678", address="10.9.9.8").status_code == 302


def test_one_account_failing_from_many_addresses_alerts_the_security_admin(users):
    from zoneops.notifications.models import Notification

    client = Client()
    for i in range(4):
        login(client, "gx_staff", "wrong", address=f"10.3.0.{i}")
    assert not SecurityEvent.objects.filter(type="account_attacked").exists()
    for i in range(4, 8):
        login(client, "gx_staff", "wrong", address=f"10.3.0.{i}")
    alert = SecurityEvent.objects.get(type="account_attacked")  # once, not per failure
    assert alert.username == "gx_staff" and alert.detail["addresses"] == 5
    bell = Notification.objects.get(user=users["security_admin"])
    assert "gx_staff" in bell.title
    assert not Notification.objects.filter(user=users["admin"]).exists()


def test_beyond_the_hourly_ceiling_every_attempt_waits_a_growing_delay(users, settings):
    import time_machine

    from zoneops.core.accounts import security

    settings.ZONEOPS_LOCKOUT_ACCOUNT_CEILING = 8
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        for i in range(8):  # one failure from each of many addresses: no pair lock
            login(client, "gx_staff", "wrong", address=f"10.4.0.{i}")
        kind, first = security.login_gate("gx_staff", "10.0.0.1")
        assert kind == "slowed" and first <= dt.timedelta(seconds=1)
        refused = login(client, "gx_staff", "Pw-12345678", address="10.0.0.1")
        assert "秒" in refused.content.decode()
        clock.shift(dt.timedelta(seconds=2))
        for i in range(8, 12):
            login(client, "gx_staff", "wrong", address=f"10.4.0.{i}")
            clock.shift(dt.timedelta(seconds=60))
        clock.shift(dt.timedelta(seconds=-60))
        kind, later = security.login_gate("gx_staff", "10.0.0.1")
        assert kind == "slowed" and later > first
        # the owner is slowed, never locked out: after the delay the password is checked
        clock.shift(later + dt.timedelta(seconds=1))
        assert login(client, "gx_staff", "Pw-12345678", address="10.0.0.1").status_code == 302


def test_idle_session_ends(users, settings):
    client = Client()
    login(client, "gx_staff", "Pw-12345678")
    assert client.get("/zones/").status_code == 200
    session = client.session
    session["last_activity"] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/zones/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/zones/").status_code == 302


def test_activity_is_written_once_a_minute_and_still_keeps_the_session(users):
    """Pages fetch fragments (the bell) alongside: they must not each rewrite the session."""
    client = Client()
    login(client, "gx_staff", "Pw-12345678")
    client.get("/zones/")
    session = client.session
    written = timezone.now().timestamp() - 20
    session["last_activity"] = written
    session.save()
    assert client.get("/zones/").status_code == 200
    assert client.session["last_activity"] == written  # 20 s ago: not written again
    session = client.session
    session["last_activity"] = timezone.now().timestamp() - 25 * 60
    session.save()
    assert client.get("/zones/").status_code == 200  # 25 minutes idle: still in
    assert client.session["last_activity"] > timezone.now().timestamp() - 5


def test_logins_exports_and_denials_are_logged(users):
    client = Client(REMOTE_ADDR="10.1.2.3")
    login(client, "gx_staff", "Pw-12345678", address="10.1.2.3")
    client.get("/zones/", {"export": "xlsx"})
    client.get("/audit/")
    types = list(SecurityEvent.objects.filter(username="gx_staff").values_list("type", "address"))
    assert ("login", "10.1.2.3") in types
    assert ("export", "10.1.2.3") in types
    assert ("permission_denied", "10.1.2.3") in types


def test_csp_forbids_inline_scripts(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_templates_have_no_inline_scripts():
    """With script-src 'self', an inline <script> or on* handler would silently not run."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)[^>]*>|\son(?:click|change|submit|load)=", text
        ):
            if "application/json" not in match.group(0):
                offenders.append(f"{template.relative_to(root)}: {match.group(0)}")
    assert not offenders, offenders


def test_background_requests_are_not_redirected_into_the_password_page(users):
    user = users["staff"]
    user.must_change_password = True
    user.save()
    client = Client()
    client.force_login(user)
    # The bell's poll on the password page: nothing to insert, and no page reload.
    bell = client.get(
        "/notifications/bell/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/accounts/password/",
    )
    assert bell.status_code == 204 and not bell.content
    assert "Location" not in bell and "HX-Redirect" not in bell
    # From another page, HTMX takes the whole window to the password page.
    elsewhere = client.get(
        "/notifications/bell/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/zones/",
    )
    assert elsewhere.status_code == 204 and elsewhere["HX-Redirect"] == "/accounts/password/"
    # A script's fetch gets a short JSON answer, not the page.
    fetched = client.get("/zones/", HTTP_ACCEPT="application/json", HTTP_SEC_FETCH_DEST="empty")
    assert fetched.status_code == 403
    assert fetched.json()["location"] == "/accounts/password/"
    # The page itself still goes to the password page.
    assert client.get("/zones/")["Location"] == "/accounts/password/"


def test_background_requests_of_anonymous_users_get_401_not_the_login_page(db):
    client = Client()
    bell = client.get(
        "/notifications/bell/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/zones/",
    )
    assert bell.status_code == 204
    assert bell["HX-Redirect"].startswith("/accounts/login/?next=")
    fetched = client.get("/zones/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert fetched.status_code == 401 and "login" in fetched.json()["location"]


def test_an_administrator_created_with_a_generated_password_must_change_it(db):
    from django.core.management import call_command

    from zoneops.core.models import User

    call_command("createadmin", username="root", stdout=io.StringIO())
    assert User.objects.get(username="root").must_change_password
    # A password the operator chose (ZONEOPS_ADMIN_PASSWORD) is not an initial one.
    call_command("createadmin", username="root", reset=True, stdout=io.StringIO())
    assert User.objects.get(username="root").must_change_password
