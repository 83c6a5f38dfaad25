"""Imports as background jobs, run by the real worker (django-tasks-db's, in batch mode)."""

import json
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zoneops.core.models import ObjectChange
from zoneops.enterprises.models import Enterprise
from zoneops.jobs import tasks
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker
from zoneops.jobs.tests.files import enterprise_csv
from zoneops.notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/enterprises/import/"


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ZONEOPS_JOB_IMPORT_MIN_KB = 0  # every upload a job


def upload(client, content: bytes, name="register.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def test_an_upload_answers_with_the_job_page_and_the_worker_imports_it(users, client_for):
    staff = client_for(users["staff"])
    response = upload(staff, enterprise_csv(300, "GX"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == Job.State.QUEUED and job.user == users["staff"]
    assert job.zone.code == "GX" and len(job.checksum) == 64
    assert not Enterprise.objects.exists()  # nothing happens in the request
    page = staff.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and "排队" in page.content.decode()

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert (job.created_count, job.updated_count) == (300, 0)
    assert Enterprise.objects.filter(zone__code="GX").count() == 300
    # What the job wrote is audited under its key, by its owner.
    audit = ObjectChange.objects.filter(request_id=job.key)
    assert audit.count() == 300 and set(audit.values_list("user", flat=True)) == {users["staff"].pk}
    notice = Notification.objects.get(user=users["staff"])
    assert notice.url == f"/jobs/{job.pk}/" and "完成" in notice.title
    result = staff.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'data-state="done"' in result and "300" in result and "hx-trigger" not in result


def test_the_same_file_while_the_first_job_runs_goes_to_that_job(users, client_for):
    staff = client_for(users["staff"])
    content = enterprise_csv(50, "GX")
    first = upload(staff, content)
    second = upload(staff, content, name="copy-of-register.csv")
    assert second["Location"] == first["Location"]
    assert Job.objects.count() == 1
    run_worker()
    # Once the first has ended the same file may be imported again (an update this time).
    third = upload(staff, content)
    assert third["Location"] != first["Location"] and Job.objects.count() == 2
    run_worker()
    assert Job.objects.order_by("pk").last().updated_count == 50


def test_a_refused_import_lists_its_row_errors_and_writes_nothing(users, client_for):
    staff = client_for(users["staff"])
    upload(staff, enterprise_csv(100, "GX", bad_every=10))
    run_worker()
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and job.error_count == 10
    assert {e["row"] for e in job.errors} == {n + 2 for n in range(9, 100, 10)}
    assert not Enterprise.objects.exists()
    page = staff.get(f"/jobs/{job.pk}/").content.decode()
    assert "失败" in page and job.errors[0]["reason"] in page
    download = staff.get(f"/jobs/{job.pk}/result/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/") and job.result_name


def test_a_cancelled_queued_job_never_runs(users, client_for):
    staff = client_for(users["staff"])
    upload(staff, enterprise_csv(50, "GX"))
    job = Job.objects.get()
    response = staff.post(f"/jobs/{job.pk}/cancel/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED
    run_worker()
    assert not Enterprise.objects.exists()
    assert Job.objects.get().state == Job.State.CANCELLED
    assert "取消" in Notification.objects.get(user=users["staff"]).title


def test_a_cancel_during_the_writing_rolls_back_what_was_written(users, client_for):
    """The cancel arrives once the job has started writing (after the first batch of rows
    is inserted, the job's next report sees it): the import's transaction rolls back."""
    staff = client_for(users["staff"])
    upload(staff, enterprise_csv(12000, "GX"))
    job = Job.objects.get()
    folder = tasks.job_dir(job)
    seen = []

    def cancel_when_writing():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                progress = json.loads((folder / "progress.json").read_text())
            except (OSError, ValueError):
                progress = {}
            if progress.get("phase") == "writing":
                seen.append(progress)
                (folder / "cancel").touch()  # what the cancel button does to a running job
                return
            time.sleep(0.001)

    watcher = threading.Thread(target=cancel_when_writing)
    watcher.start()
    run_worker()
    watcher.join()
    job.refresh_from_db()
    assert seen, "the job never reported writing"
    assert job.state == Job.State.CANCELLED
    assert not Enterprise.objects.exists()
    assert not ObjectChange.objects.filter(request_id=job.key).exists()


def test_small_uploads_still_import_in_the_request(settings, users, client_for):
    settings.ZONEOPS_JOB_IMPORT_MIN_KB = 64
    response = upload(client_for(users["staff"]), enterprise_csv(20, "GX"))
    assert response.status_code == 302 and response["Location"] == "/enterprises/"
    assert Enterprise.objects.count() == 20 and not Job.objects.exists()


def test_roles_that_may_not_import_cannot_start_a_job(users, client_for):
    for role in ("leader", "liaison", "auditor", "security_admin"):
        response = upload(client_for(users[role]), enterprise_csv(10, "GX"))
        assert response.status_code == 403, role
    assert not Job.objects.exists()
