"""The worker as a process: ``zoneops job_worker`` runs a queued import, and a worker killed
with SIGKILL in the middle of writing leaves nothing written; the next worker marks the job
failed and tells its owner."""

import signal
import time

import pytest

from zoneops.jobs.testing_site import migrated_template, new_site
from zoneops.jobs.tests.files import enterprise_csv


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return migrated_template(tmp_path_factory.mktemp("jobs-site-template"))


@pytest.fixture
def site(template, tmp_path):
    site = new_site(template, tmp_path / "site")
    yield site
    site.stop()


def wait_for(predicate, timeout=120, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_worker_process_runs_a_queued_import(site):
    job_id, _key = site.start_import(enterprise_csv(2000, "GX"))
    assert site.query("SELECT state FROM jobs_job WHERE id = ?", [job_id]) == [("queued",)]
    site.start_worker()
    wait_for(
        lambda: site.query("SELECT state FROM jobs_job WHERE id = ?", [job_id])[0][0] == "done",
        what="the job to be done",
    )
    assert site.query("SELECT COUNT(*) FROM enterprises_enterprise") == [(2000,)]
    assert site.query("SELECT created_count FROM jobs_job WHERE id = ?", [job_id]) == [(2000,)]
    assert site.query("SELECT status FROM django_tasks_database_dbtaskresult") == [("SUCCESSFUL",)]
    assert site.query("SELECT COUNT(*) FROM core_objectchange WHERE request_id = ?", [_key]) == [
        (2000,)
    ]


def test_a_worker_killed_while_writing_leaves_nothing_written(site):
    job_id, key = site.start_import(enterprise_csv(20000, "GX"))
    worker = site.start_worker()
    # Killed once the import's transaction holds rows: writing, past its first batch.
    progress = wait_for(
        lambda: (p := site.progress(key)).get("phase") == "writing" and p.get("done", 0) > 0 and p,
        what="the job to write",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert progress["done"] >= 5000
    assert site.query("SELECT state FROM jobs_job WHERE id = ?", [job_id]) == [("running",)]
    assert site.query("SELECT COUNT(*) FROM enterprises_enterprise") == [(0,)]
    audit = site.query("SELECT COUNT(*) FROM core_objectchange WHERE request_id = ?", [key])
    assert audit == [(0,)]

    # The next worker to start gives the job up, tells its owner, and goes on.
    output = site.command("job_worker", "--batch", "--no-startup-delay")
    assert f"job {job_id} left by a stopped worker: failed" in output
    state, message = site.query("SELECT state, message FROM jobs_job WHERE id = ?", [job_id])[0]
    assert state == "failed" and "未写入任何数据" in message
    assert site.query("SELECT status FROM django_tasks_database_dbtaskresult") == [("FAILED",)]
    assert site.query("SELECT COUNT(*) FROM enterprises_enterprise") == [(0,)]
    titles = site.query("SELECT title, url FROM notifications_notification")
    assert titles == [("后台作业失败：导入企业：register.csv", f"/jobs/{job_id}/")]
