"""Bulk API calls above ZONEOPS_JOB_BULK_MIN_ROWS: 202 with the job's URL, written by a job
all or nothing; smaller ones answer at once as before."""

from decimal import Decimal

import pytest

from zoneops.core.models import ObjectChange
from zoneops.core.ui.testing import token_client
from zoneops.enterprises.models import MonthlyFigure
from zoneops.enterprises.tests.factories import enterprise
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker

pytestmark = pytest.mark.django_db

URL = "/api/monthly-figures/bulk/"


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ZONEOPS_JOB_BULK_MIN_ROWS = 5


@pytest.fixture
def firms(zone_tree):
    return [enterprise(zone_tree["park"], n, industry=None) for n in range(1, 4)]


def records(firms, months=range(1, 3), revenue="100.5"):
    return [
        {"uscc": firm.uscc, "year": 2025, "month": month, "main_revenue": revenue}
        for firm in firms
        for month in months
    ]


def test_a_large_bulk_call_is_accepted_as_a_job_and_written_by_it(users, firms):
    api = token_client(users["staff"])
    response = api.post(URL, records(firms), format="json")  # 6 records > 5
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get()
    assert response["Location"] == body["url"] == f"/api/jobs/{job.pk}/"
    assert body["kind"] == "bulk" and body["state"] == "queued"
    assert not MonthlyFigure.objects.exists()
    # The same records again while the job waits: that job.
    again = api.post(URL, records(firms), format="json")
    assert again.status_code == 202 and again.json()["id"] == job.pk

    run_worker()

    done = api.get(body["url"]).json()
    assert done["state"] == "done", done
    assert (done["created_count"], done["updated_count"]) == (6, 0)
    assert done["progress"]["done"] == done["progress"]["total"] == 6
    assert MonthlyFigure.objects.filter(main_revenue=Decimal("100.50")).count() == 6
    # Audited under the job's key, as the user who sent them.
    changes = ObjectChange.objects.filter(request_id=job.key)
    assert changes.count() == 6 and {c.user_name for c in changes} == {"gx_staff"}


def test_one_bad_record_in_a_bulk_job_writes_nothing_and_lists_it(users, firms):
    api = token_client(users["staff"])
    sent = records(firms)
    sent[4]["main_revenue"] = "-3"
    response = api.post(URL, sent, format="json")
    assert response.status_code == 202

    run_worker()

    done = api.get(response.json()["url"]).json()
    assert done["state"] == "failed" and done["error_count"] == 1
    assert done["errors"][0]["row"] == 4 and done["errors"][0]["field"] == "main_revenue"
    assert not MonthlyFigure.objects.exists()


def test_a_small_bulk_call_still_answers_at_once(users, firms):
    response = token_client(users["staff"]).post(URL, records(firms[:2]), format="json")
    assert response.status_code == 200 and response.json() == {"created": 4, "updated": 0}
    assert not Job.objects.exists()


def test_the_investment_bulk_call_is_a_job_above_the_size_too(users, zone_tree):
    from zoneops.projects.tests.factories import make_project

    made = [make_project(zone_tree["park"], n) for n in range(1, 4)]
    sent = [
        {"code": p.code, "year": 2025, "month": m, "completed_ytd": str(10 * m)}
        for p in made
        for m in (1, 2)
    ]
    api = token_client(users["staff"])
    response = api.post("/api/monthly-investments/bulk/", sent, format="json")
    assert response.status_code == 202, response.content
    run_worker()
    done = api.get(response.json()["url"]).json()
    assert done["state"] == "done", done
    assert done["created_count"] == 6


def test_the_schema_declares_the_202(users):
    schema = token_client(users["staff"]).get("/api/schema/", {"format": "json"}).json()
    for path in (URL, "/api/monthly-investments/bulk/"):
        assert "202" in schema["paths"][path]["post"]["responses"]
