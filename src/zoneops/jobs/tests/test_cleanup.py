"""Finished jobs and their files older than ZONEOPS_JOB_KEEP_DAYS are removed by the tick;
running ones and recent ones stay."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from zoneops.jobs import services, tasks
from zoneops.jobs.models import Job

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _jobs_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ZONEOPS_JOB_KEEP_DAYS = 30


def make(user, state, finished_days_ago=None, title="job"):
    job = Job.objects.create(kind=Job.Kind.EXPORT, title=title, user=user, state=state)
    if finished_days_ago is not None:
        job.finished_at = NOW - dt.timedelta(days=finished_days_ago)
        job.save(update_fields=["finished_at"])
    folder = tasks.job_dir(job)
    folder.mkdir(parents=True)
    tasks.result_path(job).write_bytes(b"x")
    return job


@time_machine.travel(NOW, tick=False)
def test_the_tick_removes_finished_jobs_and_files_older_than_the_setting(users, capsys):
    from django_tasks_db.models import DBTaskResult

    from zoneops.jobs.tasks import run_job

    user = users["staff"]
    old_done = make(user, Job.State.DONE, 31, "old done")
    old_failed = make(user, Job.State.FAILED, 45, "old failed")
    recent = make(user, Job.State.DONE, 29, "recent")
    running = make(user, Job.State.RUNNING, None, "running")
    queued = make(user, Job.State.QUEUED, None, "queued")
    old_done.task_id = str(run_job.enqueue(old_done.pk).id)
    recent.task_id = str(run_job.enqueue(recent.pk).id)
    Job.objects.bulk_update([old_done, recent], ["task_id"])
    Job.objects.filter(pk__in=[running.pk, queued.pk]).update(
        created_at=timezone.now() - dt.timedelta(days=90)
    )

    call_command("tick")

    assert set(Job.objects.values_list("title", flat=True)) == {"recent", "running", "queued"}
    for gone in (old_done, old_failed):
        assert not tasks.job_dir(gone).exists()
    for kept in (recent, running, queued):
        assert tasks.result_path(kept).exists()
    assert "2 finished jobs" in capsys.readouterr().out
    left = [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)]
    assert left == [recent.task_id]


@time_machine.travel(NOW, tick=False)
def test_zero_keeps_every_job(users, settings):
    settings.ZONEOPS_JOB_KEEP_DAYS = 0
    job = make(users["staff"], Job.State.DONE, 400)
    assert services.remove_old() == 0
    assert Job.objects.filter(pk=job.pk).exists() and tasks.job_dir(job).exists()


@pytest.mark.parametrize(
    ("kind", "advice"),
    [(Job.Kind.IMPORT, "请重新上传文件"), (Job.Kind.PACK, "请重新发起")],
)
def test_a_job_whose_worker_died_says_what_to_do_for_its_kind_of_work(users, kind, advice):
    """A lost import asks for the file again; a lost pack or recompute has no file to upload."""
    import socket
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    job = Job.objects.create(
        kind=kind,
        title="job",
        user=users["staff"],
        state=Job.State.RUNNING,
        worker=f"{socket.gethostname()}:{gone.pid}",
        started_at=timezone.now(),
    )
    assert services.recover_stale() == [job]
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "未写入任何数据" in job.message and advice in job.message
