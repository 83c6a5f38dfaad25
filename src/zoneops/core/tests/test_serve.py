"""``zoneops serve`` turns the HTTPS settings off on loopback only (issue #17, 10)."""

import pytest
from django.core.management import CommandError, call_command

from zoneops.core.management.commands import serve


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.2:80"])
def test_loopback_serves_plain_http(bind):
    assert serve.https_env({}, bind)["ZONEOPS_HTTPS"] == "0"


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "10.1.2.3:8000", "[::]:8000", "unix:/run/z.sock"])
def test_any_other_address_keeps_https_on(bind):
    assert serve.https_env({}, bind)["ZONEOPS_HTTPS"] == "1"


def test_https_off_on_a_network_address_is_refused_naming_the_setting(monkeypatch):
    with pytest.raises(CommandError, match="ZONEOPS_HTTPS"):
        serve.https_env({"ZONEOPS_HTTPS": "0"}, "0.0.0.0:8000")
    started = []
    monkeypatch.setattr(serve.os, "execve", lambda *args: started.append(args))
    monkeypatch.setenv("ZONEOPS_HTTPS", "0")
    with pytest.raises(CommandError, match="ZONEOPS_HTTPS"):
        call_command("serve", bind="0.0.0.0:8000")
    assert started == []


def test_serve_passes_the_https_setting_to_gunicorn(monkeypatch):
    started = []
    monkeypatch.setattr(serve.os, "execve", lambda *args: started.append(args))
    monkeypatch.delenv("ZONEOPS_HTTPS", raising=False)
    call_command("serve", bind="0.0.0.0:8000")
    assert started[0][2]["ZONEOPS_HTTPS"] == "1"
    call_command("serve", bind="127.0.0.1:8000")
    assert started[1][2]["ZONEOPS_HTTPS"] == "0"
