"""One client address everywhere: proxy headers only from ZONEOPS_TRUSTED_PROXIES
(issue #17, 8)."""

import pytest
from django.test import Client, RequestFactory

from zoneops.core.accounts.security import client_address
from zoneops.core.models import SecurityEvent

ATTACKER = "203.0.113.5"


def request_from(remote, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_headers_from_an_untrusted_client_are_ignored(settings):
    settings.ZONEOPS_TRUSTED_PROXIES = ("127.0.0.1", "::1")
    spoofed = request_from(ATTACKER, HTTP_X_REAL_IP="10.9.9.9", HTTP_X_FORWARDED_FOR="10.8.8.8")
    assert client_address(spoofed) == ATTACKER


def test_headers_from_a_trusted_proxy_are_believed(settings):
    settings.ZONEOPS_TRUSTED_PROXIES = ("127.0.0.1", "10.0.0.0/8")
    assert client_address(request_from("127.0.0.1", HTTP_X_REAL_IP="198.51.100.4")) == (
        "198.51.100.4"
    )
    # X-Forwarded-For: the right-most hop that is not a trusted proxy
    forwarded = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.4, 10.0.0.3")
    assert client_address(forwarded) == "198.51.100.4"
    assert client_address(request_from("127.0.0.1", HTTP_X_REAL_IP="junk")) == "127.0.0.1"


def test_a_spoofed_header_does_not_change_the_audit_address(users):
    client = Client()
    for fake in ("10.9.9.1", "10.9.9.2"):
        client.post(
            "/accounts/login/",
            {"username": users["staff"].username, "password": "wrong-Pw-1"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_REAL_IP=fake,
            HTTP_X_FORWARDED_FOR=fake,
        )
    addresses = set(
        SecurityEvent.objects.filter(type=SecurityEvent.Type.LOGIN_FAILED).values_list(
            "address", flat=True
        )
    )
    assert addresses == {ATTACKER}


def test_a_spoofed_header_does_not_escape_the_public_lookup_limit(db):
    from zoneops.appeals.services import lookup_limits

    LOOKUP_FAILURES = lookup_limits()[0]
    client = Client()
    statuses = [
        client.post(
            "/public/appeals/status/",
            {"tracking_number": f"NOPE{i}", "phone_suffix": "0000"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_REAL_IP=f"10.7.0.{i}",
            HTTP_X_FORWARDED_FOR=f"10.7.1.{i}",
        ).status_code
        for i in range(LOOKUP_FAILURES + 1)
    ]
    assert statuses[-1] == 429


@pytest.mark.parametrize("proxy", ["127.0.0.1", "::1"])
def test_loopback_is_the_default_trusted_proxy(proxy):
    from django.conf import settings

    assert proxy in settings.ZONEOPS_TRUSTED_PROXIES
