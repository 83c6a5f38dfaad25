"""Starting, running, following and cancelling background jobs (后台作业).

The queue is django-tasks with its database backend (``django_tasks_db``): a job is one
``Job`` row (what the pages show) and one task result row (what the worker claims). The worker
(``zoneops job_worker``) runs ``zoneops.jobs.tasks.run_job``.

Progress and cancellation travel beside the database, in the job's folder under the data
directory (``jobs/<key>/``, where the uploaded file is kept too): an import writes inside one
transaction, and on SQLite no other connection may write while it does, so a progress row
could not be committed until the end. The worker writes ``progress.json`` (atomically, a few
times a second); a cancel creates ``cancel``, which the running job sees at its next progress
report and stops by raising ``JobCancelled``: the import's transaction rolls back and nothing
is written.

All-or-nothing survives a killed worker: the import's own transaction is rolled back by the
database. Each job writes its audit rows under its ``key`` as request id, so when the next
worker starts (``recover_stale``), a job left running by a dead worker is marked failed (no
audit row of it: nothing was written) or done (its transaction had committed).
"""

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.models import ObjectChange, Role
from zoneops.core.registries import background
from zoneops.jobs.models import Job
from zoneops.jobs.tasks import finish, job_dir, run_job, upload_path

logger = logging.getLogger("zoneops.jobs")

STALE_SECONDS = 600  # a job of another host without progress for this long is given up


# Starting -----------------------------------------------------------------------------------


def user_zone(user):
    """The zone a user's job belongs to: the highest zone granted (None for administrators)."""
    if user.role in (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
        return None
    return user.zones.order_by("depth", "path").first()


def import_title(model, name: str) -> str:
    return _("Import {things}: {file}").format(
        things=model._meta.verbose_name_plural, file=Path(name).name
    )


def list_url(model) -> str:
    from zoneops.core.ui.generic import optional_reverse, url_name

    return optional_reverse(url_name(model, "list")) or ""


def import_upload(view, request, upload):
    """``core.ui.generic.BulkImportView``'s runner: the upload becomes a job; the answer is the
    job's page (or the page of the job already importing this same file)."""
    content = upload.read()
    target = f"{type(view).__module__}.{type(view).__qualname__}"
    job, created = start_import(
        target=target,
        name=upload.name,
        content=content,
        title=import_title(view.model, upload.name),
        return_url=list_url(view.model),
        acting_user=request.user,
    )
    if not created:
        messages.info(
            request,
            _("This file is already being imported: here is that job."),
        )
    return HttpResponseRedirect(job.get_absolute_url())


def start_import(
    *, target: str, name: str, content: bytes, title: str, return_url: str = "", acting_user
) -> tuple[Job, bool]:
    """Queue the import of ``content`` through the import page ``target`` (dotted path of a
    ``BulkImportView``). (job, True); or (the job already importing the same file, False)."""
    view_class = import_string(target)
    if not role_may(acting_user, ADD, view_class.model):
        raise PermissionDenied(_("Your role may not import records here."))
    checksum = hashlib.sha256(content).hexdigest()
    return _queue_once(
        acting_user=acting_user,
        target=target,
        checksum=checksum,
        content=content,
        keep_empty_content=True,
        kind=Job.Kind.IMPORT,
        title=title,
        return_url=return_url,
        file_name=Path(name).name[:200],
    )


def export_list(view, request):
    """``core.ui.generic.ObjectListView``'s runner for a large ``?export=xlsx``: the rows are
    written by a job; the answer is its page (or that of the same export already running)."""
    view.log_export()  # asked for now, by this user from this address
    params = request.GET.copy()
    params.pop("page", None)
    job, created = start_export(
        path=request.path,
        params=params.urlencode(),
        title=_("Export {things}").format(things=view.model._meta.verbose_name_plural),
        acting_user=request.user,
    )
    if not created:
        messages.info(request, _("This export is already being written: here is that job."))
    return HttpResponseRedirect(job.get_absolute_url())


def start_export(*, path: str, params: str, title: str, acting_user) -> tuple[Job, bool]:
    """Queue the export of the list page ``path`` with the query ``params``, as
    ``acting_user`` sees it. (job, True); or (the same export already running, False)."""
    checksum = hashlib.sha256(f"{path}?{params}".encode()).hexdigest()
    running = (
        Job.objects.restrict(acting_user, "view")
        .active()
        .filter(target=path, checksum=checksum)
        .first()
    )
    if running is not None:
        return running, False
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.EXPORT,
            title=title[:300],
            user=acting_user,
            zone=user_zone(acting_user),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            target=path,
            params=params,
            checksum=checksum,
            return_url=path,
        )
        job.task_id = str(run_job.enqueue(job.pk).id)
        job.save(update_fields=["task_id"])
    return job, True


def start_work(
    name: str,
    *,
    params: dict,
    title: str,
    acting_user,
    content: bytes = b"",
    return_url: str = "",
) -> tuple[Job, bool]:
    """``core.registries.background.start_work``'s starter: queue the registered work ``name``
    with its ``params`` (JSON) and ``content`` (kept in the job's folder, e.g. a bulk call's
    records).
    (job, True); or (the same work with the same input already queued or running, False)."""
    work = background.work(name)
    encoded = json.dumps(params, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    digest = hashlib.sha256(encoded.encode())
    digest.update(content)
    checksum = digest.hexdigest()
    return _queue_once(
        acting_user=acting_user,
        target=name,
        checksum=checksum,
        content=content,
        kind=work.kind,
        title=title,
        return_url=return_url,
        params=encoded,
    )


def _queue_once(
    *,
    acting_user,
    target: str,
    checksum: str,
    content: bytes,
    title: str,
    keep_empty_content: bool = False,
    **fields,
) -> tuple[Job, bool]:
    """Queue a job for ``target`` with its input ``content`` kept in the job's folder: (job,
    True); or, when the user's same input is already queued or running (``checksum``), (that
    job, False), also when a request a moment ahead created it."""
    running = (
        Job.objects.restrict(acting_user, "view")
        .active()
        .filter(target=target, checksum=checksum)
        .first()
    )
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                title=title[:300],
                user=acting_user,
                zone=user_zone(acting_user),
                language=translation.get_language() or settings.LANGUAGE_CODE,
                target=target,
                file_size=len(content),
                checksum=checksum,
                **fields,
            )
            if content or keep_empty_content:
                job_dir(job).mkdir(parents=True, exist_ok=True)
                upload_path(job).write_bytes(content)
            job.task_id = str(run_job.enqueue(job.pk).id)
            job.save(update_fields=["task_id"])
    except IntegrityError:
        # The same input was queued by a request a moment ahead of this one.
        running = Job.objects.filter(
            user=acting_user, target=target, checksum=checksum, state__in=Job.ACTIVE
        ).first()
        if running is None:
            raise
        return running, False
    return job, True


def bulk_work(upsert):
    """The work of a large bulk API call: ``upsert(records, acting_user=...)`` (a service that
    writes all records or none and returns an ``ImportResult``) over the records kept with the
    job. Registered by the app that owns the service."""

    def run(params: dict, *, acting_user, content: bytes = b"") -> background.WorkResult:
        records = json.loads(content.decode() or "[]")
        result = upsert(records, acting_user=acting_user)
        if result.errors:
            return background.WorkResult(
                errors=[error.__dict__ for error in result.errors],
                message=_("Nothing was written: {count} problems were found.").format(
                    count=len(result.errors)
                ),
            )
        return background.WorkResult(created=result.created, updated=result.updated)

    return run


# Cleaning up --------------------------------------------------------------------------------


def remove_old(*, now=None) -> int:
    """Remove the jobs that ended more than ``ZONEOPS_JOB_KEEP_DAYS`` days ago, with their
    folders (uploaded file, result file) and their task results; the number removed. Running
    jobs are never removed."""
    from django_tasks_db.models import DBTaskResult

    days = background.keep_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    old = Job.objects.exclude(state__in=Job.ACTIVE).filter(finished_at__lt=cutoff)
    removed = 0
    for job in old.only("pk", "key", "task_id").iterator():
        shutil.rmtree(job_dir(job), ignore_errors=True)
        with transaction.atomic():
            if job.task_id:
                DBTaskResult.objects.filter(id=job.task_id).delete()
            Job.objects.filter(pk=job.pk).delete()
        removed += 1
    return removed


def tick() -> str:
    removed = remove_old()
    return f"jobs: {removed} finished jobs older than {background.keep_days()} days removed"


# Cancelling ---------------------------------------------------------------------------------


def cancel(job: Job, *, acting_user) -> bool:
    """Ask a job to stop. A queued job is cancelled at once; a running one stops at its next
    progress report and writes nothing. False if it had already ended."""
    if not Job.objects.restrict(acting_user, CHANGE).filter(pk=job.pk).exists():
        raise PermissionDenied(_("You may not cancel this job."))
    if job.finished:
        return False
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cancel").touch()
    with transaction.atomic():
        stopped = Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(
            state=Job.State.CANCELLED,
            finished_at=timezone.now(),
            message=_("Cancelled before it started."),
        )
        if stopped:
            job.refresh_from_db()
            background.job_finished.send(sender=Job, job=job, state=job.state)
    return True


# A worker that died -------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # the pid of a dead worker, given again to the one starting now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is dead too
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def worker_alive(worker: str, *, heartbeat: float | None = None) -> bool:
    host, _sep, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return _pid_alive(int(pid))
    # Another machine's worker: alive while its progress moves.
    return heartbeat is not None and time.time() - heartbeat < STALE_SECONDS


def recover_stale() -> list[Job]:
    """Jobs left running by a worker that is gone: done if their writes had committed (audit
    rows under their key), else failed with nothing written. Their task results are marked
    failed; a task a dead worker had claimed before its job started is queued again."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    ended = []
    for job in Job.objects.filter(state=Job.State.RUNNING).select_related("user"):
        try:
            heartbeat = (job_dir(job) / "progress.json").stat().st_mtime
        except OSError:
            heartbeat = job.started_at.timestamp() if job.started_at else None
        if worker_alive(job.worker, heartbeat=heartbeat):
            continue
        with translation.override(job.language):
            if ObjectChange.objects.filter(request_id=job.key).exists():
                finish(
                    job,
                    Job.State.DONE,
                    message=_(
                        "The worker stopped after the work was written; the counts were not "
                        "recorded."
                    ),
                )
            elif job.kind == Job.Kind.IMPORT:
                finish(
                    job,
                    Job.State.FAILED,
                    message=_(
                        "The worker stopped during the job: nothing was written. "
                        "Upload the file again."
                    ),
                )
            else:
                finish(
                    job,
                    Job.State.FAILED,
                    message=_(
                        "The worker stopped during the job: nothing was written. Start it again."
                    ),
                )
        ended.append(job)
    for result in DBTaskResult.objects.running():
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if worker_alive(worker):
            continue
        job = Job.objects.filter(task_id=str(result.id)).first()
        if job is not None and job.state == Job.State.QUEUED:
            result.status = TaskResultStatus.READY  # claimed, never started: run it again
            result.save(update_fields=["status"])
        else:
            result.set_failed(RuntimeError(f"worker {worker} stopped"))
    return ended
