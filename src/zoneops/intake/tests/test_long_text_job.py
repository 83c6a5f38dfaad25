"""A long text (ZONEOPS_JOB_INTAKE_MIN_CHARS or more) is read by a background job (后台作业):
the page answers with the job, whose progress counts sentences and whose result leads to the
article with the same statements the request would have proposed."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.intake import services
from zoneops.intake.models import Document
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ZONEOPS_JOB_INTAKE_MIN_CHARS = 1000


def test_a_long_upload_is_read_by_a_job_with_the_statements_the_request_would_propose(
    client_for, users, zone_tree, settings
):
    content = (FIXTURES / "02.txt").read_bytes()
    assert len(content.decode()) >= 1000
    client = client_for(users["staff"])
    response = client.post(
        reverse("intake:document_add"),
        {
            "zone": "GX",
            "title": "",
            "source": "松花江网",
            "upload": SimpleUploadedFile("02.txt", content),
        },
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == Job.Kind.INTAKE and not Document.objects.exists()

    run_worker()

    job.refresh_from_db()
    document = Document.objects.get()
    assert job.state == Job.State.DONE, job.message
    assert document.statements.count() == job.created_count == 14  # as in the request
    assert document.date == dt.date(2024, 1, 5) and document.file_name == "02.txt"
    assert job.return_url == document.get_absolute_url()
    assert job.total == job.done > 1  # one step per sentence
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert document.get_absolute_url() in page

    # The same text again, now short of the threshold: registered before, nothing new.
    settings.ZONEOPS_JOB_INTAKE_MIN_CHARS = 10**6
    again = client.post(
        reverse("intake:document_add"),
        {
            "zone": "GX",
            "title": "",
            "source": "松花江网",
            "upload": SimpleUploadedFile("02.txt", content),
        },
    )
    assert again["Location"] == document.get_absolute_url() and Document.objects.count() == 1


def test_a_zone_not_granted_is_refused_before_any_job(users, zone_tree):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_register(
            acting_user=users["other_staff"], zone=zone_tree["hitech"], text="今年" * 1000
        )
    assert not Job.objects.exists()
