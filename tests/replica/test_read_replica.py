"""Reads on a real PostgreSQL streaming replica: `make test-replica`
(`scripts/with-postgres --replica`, which sets DATABASE_REPLICA_URL; skipped without it).

The test database is created on the primary and reaches the replica by replication, so the data
here is committed (transactional tests) and each test waits for the replica to have replayed the
primary's WAL. Two proofs of where a page was read:

- the queries each database connection ran while the page was served (Django's query log per
  alias): the replica's, and none but session writes on the primary;
- a row that exists only on the primary because the replica's replay is paused
  (pg_wal_replay_pause): a page read from the replica does not show it, one read from the
  primary (right after the browser wrote) does.
"""

import datetime as dt
import io
import os
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from zoneops.core.db.router import PIN_COOKIE, REPLICA_DB_ALIAS

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_REPLICA_URL"),
        reason="needs a streaming replica: scripts/with-postgres --replica (make test-replica)",
    ),
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS]),
]


def scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    # The insert position: with synchronous_commit off (the test servers) a commit may still
    # be in the WAL buffers, past pg_current_wal_lsn(), the position written so far.
    target = scalar(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replayed = scalar(
            REPLICA_DB_ALIAS,
            "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0",
            [target],
        )
        if replayed:
            return
        time.sleep(0.02)
    raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")


@pytest.fixture
def province(settings):
    """A small synthetic province (zones, enterprises, figures, projects, appeals), committed,
    and an administrator who sees all of it, logged in; the replica has caught up."""
    from zoneops.core.models import Role, User
    from zoneops.enterprises.models import Enterprise

    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = False  # force_login: no second factor to enter
    call_command(
        "generate",
        seed=3,
        zones=2,
        enterprises=40,
        months=3,
        projects=10,
        appeals=20,
        leads=4,
        hazards=4,
        stdout=io.StringIO(),
    )
    admin = User.objects.create_user(username="replica-admin", role=Role.ADMIN)
    wait_for_replay()
    return {"admin": admin, "enterprise": Enterprise.objects.order_by("pk").first()}


READ_PAGES = [
    "/dashboard/",
    "/enterprises/",
    "/projects/",
    "/appeals/",
    "/enterprises/?export=xlsx",
    "/api/enterprises/",
    "/api/projects/",
    "/api/appeals/",
    "/api/visits/",
]


@pytest.fixture
def browser(client, province):
    """The administrator's browser, logged in; the replica has the session."""
    client.force_login(province["admin"])  # (a real login is a POST: pinned to the primary)
    wait_for_replay()
    client.get("/dashboard/")  # the session's first "last activity" write is behind us
    wait_for_replay()
    return client


@pytest.fixture
def replay_paused(browser):
    """The replica stops applying the primary's WAL; the test gets a function that resumes
    it and waits until it has caught up (called again at the end in any case)."""
    scalar(REPLICA_DB_ALIAS, "SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 10
    while scalar(REPLICA_DB_ALIAS, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "replay did not pause"
        time.sleep(0.02)

    def resume():
        scalar(REPLICA_DB_ALIAS, "SELECT pg_wal_replay_resume()::text")
        wait_for_replay()

    try:
        yield resume
    finally:
        scalar(REPLICA_DB_ALIAS, "SELECT pg_wal_replay_resume()::text")


def test_read_pages_are_served_from_the_replica(browser):
    """One test for all the pages: each transactional test generates its data anew."""
    for url in READ_PAGES:
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
            CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as replica,
        ):
            response = browser.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                b"".join(response.streaming_content)
        assert len(replica.captured_queries) > 0, url
        # The primary may only have been written to: the session's last activity, the
        # security event an export records (after its rows were read).
        read_on_primary = [
            q["sql"]
            for q in primary.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        assert read_on_primary == [], f"{url} read the primary: {read_on_primary[:3]}"
        assert PIN_COOKIE not in response.cookies, url


def test_pages_do_not_show_a_row_the_replica_has_not_replayed(browser, province, replay_paused):
    from zoneops.enterprises.models import Enterprise

    enterprise = province["enterprise"]
    Enterprise.objects.filter(pk=enterprise.pk).update(name="只在主库的企业")  # on the primary
    page = browser.get("/enterprises/", {"q": "只在主库"})
    assert page.status_code == 200
    assert "只在主库的企业" not in page.content.decode()
    api = browser.get("/api/enterprises/", {"search": "只在主库"})
    assert api.status_code == 200 and api.json()["count"] == 0
    replay_paused()
    page = browser.get("/enterprises/", {"q": "只在主库"})
    assert "只在主库的企业" in page.content.decode()
    assert browser.get("/api/enterprises/", {"search": "只在主库"}).json()["count"] == 1


def test_read_after_write_goes_to_the_primary(browser, province, replay_paused):
    """POST, then GET what was saved: the GET reads the primary (pin cookie) although the
    replica has not replayed the write; past ZONEOPS_REPLICA_PIN_SECONDS the same GET reads
    the replica, which has the row once its replay resumes."""
    response = browser.post(
        "/api/visits/",
        {"enterprise": province["enterprise"].pk, "findings": "刚刚保存的走访"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert PIN_COOKIE in response.cookies
    visit = response.json()["id"]
    with CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as replica:
        response = browser.get(f"/api/visits/{visit}/")
    assert response.status_code == 200
    assert response.json()["findings"] == "刚刚保存的走访"
    assert replica.captured_queries == []
    seen_on_replica = "SELECT count(*) FROM enterprises_visit WHERE id = %s"
    assert scalar(REPLICA_DB_ALIAS, seen_on_replica, [visit]) == 0  # it is behind

    with time_machine.travel(dt.timedelta(seconds=10)):  # past the pin: the replica answers
        assert browser.get(f"/api/visits/{visit}/").status_code == 404
        replay_paused()
        response = browser.get(f"/api/visits/{visit}/")
        assert response.status_code == 200
        assert response.json()["findings"] == "刚刚保存的走访"


def test_an_export_job_reads_its_rows_from_the_replica(browser, settings, tmp_path):
    """A large export is written by a background job: the job's bookkeeping on the primary,
    the rows it exports read from the replica (a pure read, zoneops.core.db.router)."""
    from zoneops.jobs.models import Job
    from zoneops.jobs.testing import run_worker

    settings.DATA_DIR = tmp_path
    settings.ZONEOPS_JOB_EXPORT_MIN_ROWS = 10
    response = browser.get("/enterprises/", {"export": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    wait_for_replay()
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as replica,
    ):
        run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.done == 40, job.message
    table = '"enterprises_enterprise"'
    assert any(table in q["sql"] for q in replica.captured_queries)
    assert not [q["sql"] for q in primary.captured_queries if f"FROM {table}" in q["sql"]]
