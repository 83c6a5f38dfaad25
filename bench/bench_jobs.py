"""Background jobs (后台作业): the upload of a large import answers at once with the job page.

    jobs.import_100k_enqueue   POST of a 100,000-row enterprise .xlsx to the import page until
                               the answer (the redirect to the job page): the upload read, its
                               checksum, the file kept, the job queued (target ≤ 1 s)
    jobs.import_100k_direct    the same importer called directly, as the same user, on a file
                               of the same size into a zone of its own, just before the job:
                               the figure to compare with (enterprises.import_100k runs as an
                               administrator into an empty database, and was once compared
                               with a job run here after every other bench had filled it)
    jobs.import_100k_run       the worker (django-tasks-db, batch mode) running that job: the
                               import itself, to compare with jobs.import_100k_direct
    jobs.import_100k_direct_cpu / jobs.import_100k_run_cpu
                               the same two as CPU time of this process (SQLite runs in it):
                               on a machine shared with other work the wall times above swing
                               by tens of percent, these much less
    jobs.progress_poll         server time of the job page's progress block, polled every second
                               while the job runs (target ≤ 20 ms)

ZONEOPS_BENCH_ENTERPRISES scales the 100,000 like bench_enterprises.
"""

import random
import tempfile
import time
from pathlib import Path


def run(ctx):
    from bench_enterprises import ENTERPRISE_HEADERS, ROWS, enterprise_rows, write_xlsx
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings
    from timing import server_ms

    from zoneops.core.access.context import acting_as
    from zoneops.core.models import Role, User, Zone
    from zoneops.enterprises.generate import synthetic_code
    from zoneops.enterprises.importers import EnterpriseImporter
    from zoneops.enterprises.models import Enterprise
    from zoneops.jobs import tasks
    from zoneops.jobs.models import Job
    from zoneops.jobs.testing import run_worker

    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    zone = Zone.objects.create(code="BENCH-JOBS", name="作业基准园区", kind=Zone.Kind.HI_TECH_ZONE)
    staff = User.objects.create_user(username="bench_jobs", role=Role.STAFF)
    staff.zones.set([zone])
    codes = [synthetic_code(i, "870000") for i in range(ROWS)]
    path = write_xlsx(
        work / "enterprises.xlsx", ENTERPRISE_HEADERS, enterprise_rows(codes, zone.code, rng)
    )
    content = path.read_bytes()
    client = Client(HTTP_HOST="localhost")  # the test client's "testserver" is not allowed
    client.force_login(staff)

    assert client.get("/enterprises/import/").status_code == 200  # a warm process, as served
    with override_settings(ZONEOPS_JOB_IMPORT_MIN_KB=0):
        upload = SimpleUploadedFile(path.name, content)
        start = time.perf_counter()
        response = client.post("/enterprises/import/", {"file": upload})
        enqueue = time.perf_counter() - start
    job = Job.objects.get(user=staff)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    yield ("jobs.import_100k_enqueue", enqueue, "s")

    # The progress block as the page polls it while the job runs (state and progress file).
    tasks.claim(job.pk)
    tasks.Progress(job)(ROWS // 2, ROWS, "checking")
    poll = server_ms(client, f"/jobs/{job.pk}/progress/", repeat=20)
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, worker="")

    # The same import called directly, back to back with the job: same user, same database.
    side = Zone.objects.create(code="BENCH-JOBS-D", name="直接导入园区", kind=zone.kind)
    staff.zones.add(side)
    direct_file = write_xlsx(
        work / "direct.xlsx",
        ENTERPRISE_HEADERS,
        enterprise_rows([synthetic_code(i, "860000") for i in range(ROWS)], side.code, rng),
    )
    direct_content = direct_file.read_bytes()
    with acting_as(staff):
        start, cpu = time.perf_counter(), time.process_time()
        result = EnterpriseImporter(staff).run(direct_file.name, direct_content)
        direct = time.perf_counter() - start
        direct_cpu = time.process_time() - cpu
    assert result.ok and result.created == ROWS, result.errors[:5]
    yield ("jobs.import_100k_direct", direct, "s")

    start, cpu = time.perf_counter(), time.process_time()
    run_worker()
    ran = time.perf_counter() - start
    ran_cpu = time.process_time() - cpu
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.created_count == ROWS, job.message
    assert Enterprise.objects.filter(zone=zone).count() == ROWS
    yield ("jobs.import_100k_run", ran, "s")
    yield ("jobs.import_100k_direct_cpu", direct_cpu, "s")
    yield ("jobs.import_100k_run_cpu", ran_cpu, "s")
    yield ("jobs.progress_poll", poll, "ms")
