"""Large list exports as background jobs: the list's filters and zones, the file to download."""

import io

import pytest
from openpyxl import load_workbook

from zoneops.core.models import SecurityEvent
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.tests.factories import enterprise
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ZONEOPS_JOB_EXPORT_MIN_ROWS = 10


@pytest.fixture
def register(zone_tree):
    for n in range(15):
        enterprise(zone_tree["hitech"], n, name=f"高新企业{n:02d}", industry=None)
    for n in range(15, 27):
        enterprise(zone_tree["econ"], n, name=f"经开企业{n:02d}", industry=None)


def test_a_large_export_is_written_by_a_job_with_the_lists_zones_and_filters(
    users, client_for, register
):
    staff = client_for(users["staff"])
    response = staff.get("/enterprises/", {"export": "xlsx", "q": "高新企业"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == Job.Kind.EXPORT and job.state == Job.State.QUEUED
    assert SecurityEvent.objects.filter(type=SecurityEvent.Type.EXPORT).count() == 1
    # The same export again while it is queued: that job.
    assert staff.get("/enterprises/", {"export": "xlsx", "q": "高新企业"})["Location"] == (
        f"/jobs/{job.pk}/"
    )

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.done == 15, job.message
    assert "15" in staff.get(f"/jobs/{job.pk}/").content.decode()
    download = staff.get(f"/jobs/{job.pk}/result/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = {cell.value for row in sheet.iter_rows() for cell in row}
    assert {f"高新企业{n:02d}" for n in range(15)} <= names
    assert not any(str(name).startswith("经开企业") for name in names)


def test_a_small_export_is_still_answered_in_the_request(users, client_for, register):
    response = client_for(users["staff"]).get("/enterprises/", {"export": "xlsx", "q": "高新企业0"})
    assert response.status_code == 200 and not Job.objects.exists()
    assert Enterprise.objects.count() == 27
