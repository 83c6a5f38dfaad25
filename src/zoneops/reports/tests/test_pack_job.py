"""The dispatch pack made by a background job (后台作业): from the dashboard's button and from
the API (202 with the job's URL), with progress, its .docx downloadable from the job's page,
and a cancel that leaves no pack."""

import io

import pytest
from django.db.models.signals import post_save
from docx import Document

from zoneops.core.models import SecurityEvent
from zoneops.core.ui.testing import token_client
from zoneops.jobs import services as job_services
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker
from zoneops.reports.models import DispatchPack
from zoneops.reports.registry import pack_steps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def test_the_page_queues_the_pack_and_the_job_page_offers_its_docx(users, client_for, zone_tree):
    staff = client_for(users["staff"])
    response = staff.post(
        "/dashboard/packs/make/", {"zone": zone_tree["hitech"].pk, "period": "2025-10"}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == Job.Kind.PACK and not DispatchPack.objects.exists()
    # The same pack asked again while it is queued: that job, not a second one.
    again = staff.post(
        "/dashboard/packs/make/", {"zone": zone_tree["hitech"].pk, "period": "2025-10"}
    )
    assert again["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1

    run_worker()

    job.refresh_from_db()
    pack = DispatchPack.objects.get()
    assert job.state == Job.State.DONE, job.message
    assert (pack.zone, pack.year, pack.month) == (zone_tree["hitech"], 2025, 10)
    assert job.done == job.total == pack_steps()  # one step per app's sections, one for files
    assert job.return_url == pack.get_absolute_url()
    page = staff.get(f"/jobs/{job.pk}/").content.decode()
    assert pack.get_absolute_url() in page and f"/jobs/{job.pk}/result/" in page
    download = staff.get(f"/jobs/{job.pk}/result/")
    assert download.status_code == 200
    logged = SecurityEvent.objects.get(type=SecurityEvent.Type.EXPORT)
    assert logged.user == users["staff"] and logged.detail["kind"] == "pack"
    assert f"dispatch-{zone_tree['hitech'].code}-2025-10.docx" in download["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any(pack.title in p.text for p in document.paragraphs)
    # Another zone's staff sees neither the job nor its file.
    other = client_for(users["other_staff"])
    assert other.get(f"/jobs/{job.pk}/result/").status_code == 404


def test_the_api_answers_202_with_the_job_url_and_refuses_a_zone_not_seen(users, zone_tree):
    api = token_client(users["staff"])
    response = api.post(
        "/api/dispatch-packs/",
        {"zone": zone_tree["hitech"].code, "year": 2025, "month": 10},
        format="json",
    )
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    body = response.json()
    assert response["Location"] == body["url"] == f"/api/jobs/{job.pk}/"
    assert body["kind"] == "pack" and body["state"] == "queued"

    run_worker()

    done = api.get(body["url"]).json()
    pack = DispatchPack.objects.get()
    assert done["state"] == "done" and done["result"] == f"/jobs/{job.pk}/result/"
    listed = api.get("/api/dispatch-packs/").json()
    assert [row["id"] for row in listed["results"]] == [pack.pk]
    assert listed["results"][0]["zone"] == zone_tree["hitech"].code

    refused = token_client(users["other_staff"]).post(
        "/api/dispatch-packs/",
        {"zone": zone_tree["hitech"].code, "year": 2025, "month": 10},
        format="json",
    )
    assert refused.status_code == 400 and Job.objects.count() == 1
    other = token_client(users["other_staff"])
    assert other.get(f"/api/dispatch-packs/{pack.pk}/").status_code == 404


def test_a_pack_job_cancelled_after_the_pack_was_saved_leaves_no_pack(users, client_for, zone_tree):
    staff = client_for(users["staff"])
    staff.post("/dashboard/packs/make/", {"zone": zone_tree["hitech"].pk, "period": "2025-10"})
    job = Job.objects.get()

    def cancel_now(sender, instance, created, **kwargs):
        # The user presses cancel the moment the pack row is written, before its file.
        running = Job.objects.get(pk=job.pk)
        assert running.state == Job.State.RUNNING
        assert job_services.cancel(running, acting_user=users["staff"])

    post_save.connect(cancel_now, sender=DispatchPack, dispatch_uid="cancel-now")
    try:
        run_worker()
    finally:
        post_save.disconnect(dispatch_uid="cancel-now", sender=DispatchPack)
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED and not DispatchPack.objects.exists()
    assert not job.result_name
