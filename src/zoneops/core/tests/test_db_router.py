"""Which database answers (zoneops.core.db.router): the rules, on every database.

A replica is declared in the settings here without a server behind it: the router only names
the alias a read would go to, and these tests look at that name, never at a query on it.
The reads themselves on a real streaming replica: tests/replica/.
"""

import datetime as dt
import warnings

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory, override_settings

from zoneops.core.db import router as replica_router
from zoneops.core.db.router import (
    PIN_COOKIE,
    REPLICA_DB_ALIAS,
    ReplicaMiddleware,
    read_alias,
    replica_reads,
)

NOW = dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def with_replica(settings):
    """settings.DATABASES with a replica alias, as DATABASE_REPLICA_URL makes it."""
    databases = {**settings.DATABASES, REPLICA_DB_ALIAS: dict(settings.DATABASES["default"])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding setting DATABASES…": only the name is read
        with override_settings(DATABASES=databases, ZONEOPS_REPLICA_PIN_SECONDS=5):
            yield


def served(request, view=None):
    """Run ``request`` through the middleware; the view notes where its reads would go."""
    seen = {}

    def default_view(request):
        seen["read"] = read_alias()
        return HttpResponse("ok")

    response = ReplicaMiddleware(view or default_view)(request)
    return response, seen


def test_without_a_replica_everything_reads_the_primary():
    response, seen = served(RequestFactory().get("/enterprises/"))
    assert seen["read"] == DEFAULT_DB_ALIAS
    assert PIN_COOKIE not in response.cookies
    with replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS


def test_a_page_view_reads_the_replica(with_replica):
    response, seen = served(RequestFactory().get("/dashboard/"))
    assert seen["read"] == REPLICA_DB_ALIAS
    assert PIN_COOKIE not in response.cookies  # it wrote nothing: the next page may use it too


def test_head_and_options_read_the_replica_too(with_replica):
    for request in (RequestFactory().head("/api/projects/"), RequestFactory().options("/api/")):
        assert served(request)[1]["read"] == REPLICA_DB_ALIAS


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_request_that_may_write_uses_the_primary_throughout_and_pins(with_replica, method):
    response, seen = served(getattr(RequestFactory(), method)("/api/visits/"))
    assert seen["read"] == DEFAULT_DB_ALIAS
    assert PIN_COOKIE in response.cookies
    assert response.cookies[PIN_COOKIE]["max-age"] == 5
    assert response.cookies[PIN_COOKIE]["httponly"]


def test_the_redirect_after_a_post_reads_what_was_just_saved(with_replica):
    """POST → redirect → GET: the GET carries the pin cookie and reads the primary."""
    with time_machine.travel(NOW, tick=False):
        posted, _ = served(RequestFactory().post("/projects/new/"))
        follow = RequestFactory().get("/projects/1/")
        follow.COOKIES[PIN_COOKIE] = posted.cookies[PIN_COOKIE].value
        assert served(follow)[1]["read"] == DEFAULT_DB_ALIAS
    with time_machine.travel(NOW + dt.timedelta(seconds=4), tick=False):
        assert served(follow)[1]["read"] == DEFAULT_DB_ALIAS
    with time_machine.travel(NOW + dt.timedelta(seconds=7), tick=False):
        # Past ZONEOPS_REPLICA_PIN_SECONDS the replica has long caught up: back to it, even if
        # the browser kept the cookie.
        assert served(follow)[1]["read"] == REPLICA_DB_ALIAS


def test_a_forged_pin_cookie_is_ignored(with_replica):
    request = RequestFactory().get("/enterprises/")
    request.COOKIES[PIN_COOKIE] = "1:forged:signature"
    assert served(request)[1]["read"] == REPLICA_DB_ALIAS


def test_the_pin_lasts_the_setting(with_replica, settings):
    settings.ZONEOPS_REPLICA_PIN_SECONDS = 0  # no pin after a write at all
    response, _ = served(RequestFactory().post("/projects/new/"))
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_a_page_view_that_writes_reads_the_primary_after_it(with_replica, zone_tree):
    from zoneops.core.models import Department

    seen = {}

    def view(request):
        seen["before"] = read_alias()
        Department.objects.create(zone=zone_tree["hitech"], code="D1", name="招商局")
        seen["after"] = read_alias()
        return HttpResponse("ok")

    response, _ = served(RequestFactory().get("/zones/"), view)
    assert seen == {"before": REPLICA_DB_ALIAS, "after": DEFAULT_DB_ALIAS}
    assert PIN_COOKIE in response.cookies  # and the next few seconds of this browser too


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(with_replica):
    with replica_reads():
        assert read_alias() == REPLICA_DB_ALIAS
        with transaction.atomic():
            assert read_alias() == DEFAULT_DB_ALIAS
        assert read_alias() == REPLICA_DB_ALIAS


def test_a_session_save_does_not_pin(with_replica):
    """The session's last activity is saved about once a minute on plain page views."""
    from django.contrib.sessions.models import Session

    def view(request):
        assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
        return HttpResponse(read_alias())

    response, _ = served(RequestFactory().get("/dashboard/"), view)
    assert response.content.decode() == REPLICA_DB_ALIAS
    assert PIN_COOKIE not in response.cookies


def test_recording_a_security_event_does_not_pin(with_replica):
    """An export records who exported what: the next page may still read the replica."""
    from zoneops.core.models import SecurityEvent

    with replica_reads():
        assert router.db_for_write(SecurityEvent) == DEFAULT_DB_ALIAS
        assert read_alias() == REPLICA_DB_ALIAS


def test_writes_always_go_to_the_primary(with_replica):
    from zoneops.core.models import Zone

    with replica_reads():
        assert router.db_for_write(Zone) == DEFAULT_DB_ALIAS
        assert read_alias() == DEFAULT_DB_ALIAS  # pinned for the rest of the block
    assert router.db_for_read(Zone) == DEFAULT_DB_ALIAS


def test_commands_and_jobs_read_the_primary_unless_declared_pure_reads(with_replica):
    from zoneops.core.models import Zone

    assert read_alias() == DEFAULT_DB_ALIAS  # no request: a management command, a job
    assert router.db_for_read(Zone) == DEFAULT_DB_ALIAS
    with replica_reads("export job"):
        assert router.db_for_read(Zone) == REPLICA_DB_ALIAS
        with replica_router.primary_only():
            assert router.db_for_read(Zone) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Zone) == DEFAULT_DB_ALIAS


def test_migrations_run_on_the_primary_only(with_replica):
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "core")
    assert not router.allow_migrate(REPLICA_DB_ALIAS, "core")


def test_a_streamed_export_reads_the_replica_while_it_is_sent(with_replica):
    def view(request):
        def rows():
            for _ in range(2):
                yield read_alias().encode() + b"\n"

        return StreamingHttpResponse(rows())

    response, _ = served(RequestFactory().get("/enterprises/?export=xlsx"), view)
    assert read_alias() == DEFAULT_DB_ALIAS  # the scope ended with the view …
    assert b"".join(response.streaming_content) == b"replica\nreplica\n"  # … and is back here
    assert read_alias() == DEFAULT_DB_ALIAS
