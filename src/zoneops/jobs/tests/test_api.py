"""/api/jobs/: an import file answered with 202 and the job's URL, the job's state and
progress, cancel, and the same scoping as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zoneops.core.ui.testing import token_client
from zoneops.enterprises.models import Enterprise
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker
from zoneops.jobs.tests.files import enterprise_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def post_import(client, content, page="/enterprises/import/", name="register.csv"):
    return client.post(
        "/api/jobs/",
        {"page": page, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_an_import_is_accepted_with_the_job_url_and_reports_its_end(users):
    api = token_client(users["staff"])
    response = post_import(api, enterprise_csv(120, "GX"))
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get()
    assert response["Location"] == body["url"] == f"/api/jobs/{job.pk}/"
    assert body["state"] == "queued" and body["page"] == f"/jobs/{job.pk}/"
    assert not Enterprise.objects.exists()

    run_worker()

    done = api.get(body["url"]).json()
    assert done["state"] == "done" and done["created_count"] == 120
    assert done["progress"]["done"] == 120 and done["finished_at"]
    assert Enterprise.objects.count() == 120


def test_the_same_file_again_answers_with_the_running_job(users):
    api = token_client(users["staff"])
    content = enterprise_csv(30, "GX")
    first = post_import(api, content).json()
    second = post_import(api, content)
    assert second.status_code == 202 and second.json()["id"] == first["id"]


def test_refused_imports(users):
    content = enterprise_csv(10, "GX")
    assert post_import(token_client(users["leader"]), content).status_code == 403
    assert post_import(token_client(users["auditor"]), content).status_code == 403
    # The zone tree is the system administrator's alone, as on its page.
    assert (
        post_import(token_client(users["staff"]), content, page="/zones/import/").status_code == 403
    )
    not_import = post_import(token_client(users["staff"]), content, page="/enterprises/")
    assert not_import.status_code == 400
    assert [e["field"] for e in not_import.json()["errors"]] == ["page"]
    assert not Job.objects.exists()


def test_jobs_are_seen_by_their_owner_and_administrators_only(users):
    post_import(token_client(users["staff"]), enterprise_csv(10, "GX"))
    job = Job.objects.get()
    assert token_client(users["other_staff"]).get(f"/api/jobs/{job.pk}/").status_code == 404
    assert token_client(users["other_staff"]).get("/api/jobs/").json()["count"] == 0
    assert token_client(users["admin"]).get("/api/jobs/").json()["count"] == 1
    assert token_client(users["staff"]).get("/api/jobs/", {"state": "queued"}).json()["count"] == 1
    refused = token_client(users["other_staff"]).post(f"/api/jobs/{job.pk}/cancel/")
    assert refused.status_code == 404


def test_cancel_through_the_api(users):
    api = token_client(users["staff"])
    job = post_import(api, enterprise_csv(10, "GX")).json()
    cancelled = api.post(f"{job['url']}cancel/")
    assert cancelled.status_code == 202 and cancelled.json()["state"] == "cancelled"
    assert api.post(f"{job['url']}cancel/").status_code == 409
    run_worker()
    assert not Enterprise.objects.exists()


def test_the_schema_says_imports_answer_202(users):
    schema = token_client(users["staff"]).get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/jobs/"]["post"]
    assert (
        "202" in create["responses"] and "multipart/form-data" in create["requestBody"]["content"]
    )
    assert "/api/jobs/{id}/cancel/" in schema["paths"]


def test_the_list_reads_a_constant_number_of_queries(users, django_assert_max_num_queries):
    api = token_client(users["admin"])
    for n in range(3):
        post_import(token_client(users["staff"]), enterprise_csv(5, "GX", start=n * 10))
    with django_assert_max_num_queries(8):
        assert api.get("/api/jobs/").json()["count"] == 3
