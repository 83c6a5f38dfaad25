"""The job pages: 我的后台作业 (own jobs; administrators everyone's), zone scoping, refusals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.jobs import services
from zoneops.jobs.models import Job
from zoneops.jobs.tests.files import enterprise_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def queue(user, n=0) -> Job:
    job, _created = services.start_import(
        target="zoneops.enterprises.views.EnterpriseImportView",
        name=f"register-{n}.csv",
        content=enterprise_csv(5, "GX", start=n * 10),
        title=f"导入企业：register-{n}.csv",
        acting_user=user,
    )
    return job


def test_my_jobs_lists_my_own_and_an_administrator_sees_all(users, client_for):
    mine = queue(users["staff"])
    theirs = queue(users["other_staff"], 1)
    page = client_for(users["staff"]).get("/jobs/").content.decode()
    assert "我的后台作业" in page and mine.title in page and theirs.title not in page
    admin_page = client_for(users["admin"]).get("/jobs/").content.decode()
    assert mine.title in admin_page and theirs.title in admin_page
    assert "任务" not in page.replace("任务书", "")  # 后台作业, never the task book's word


def test_another_users_job_is_not_found(users, client_for):
    job = queue(users["staff"])
    other = client_for(users["other_staff"])
    for path in ("", "progress/", "result/"):
        assert other.get(f"/jobs/{job.pk}/{path}").status_code == 404
    assert other.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    assert Job.objects.get().state == Job.State.QUEUED
    for role in ("auditor", "security_admin"):
        assert client_for(users[role]).get(f"/jobs/{job.pk}/").status_code in (403, 404)


def test_the_progress_block_polls_while_the_job_is_active(users, client_for):
    job = queue(users["staff"])
    block = client_for(users["staff"]).get(f"/jobs/{job.pk}/progress/").content.decode()
    assert f'hx-get="/jobs/{job.pk}/progress/"' in block and 'hx-trigger="every 1s"' in block
    assert 'id="job-cancel"' in block


def test_the_list_reads_a_constant_number_of_queries(users, client_for):
    client = client_for(users["admin"])
    queue(users["staff"])
    client.get("/jobs/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/jobs/").status_code == 200
        return len(queries)

    one = count()
    for n in range(1, 12):
        queue(users["staff"], n)
    assert count() == one
