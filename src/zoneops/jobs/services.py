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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zoneops.core.access import context
from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.files import exports, imports
from zoneops.core.models import ObjectChange, Role
from zoneops.core.registries import background
from zoneops.jobs.models import Job

logger = logging.getLogger("zoneops.jobs")

MAX_SHOWN_ERRORS = 500  # on the page; the .xlsx holds every error the importer listed
PROGRESS_EVERY = 0.25  # seconds between two writes of progress.json
STALE_SECONDS = 600  # a job of another host without progress for this long is given up


class JobCancelled(Exception):
    """Raised inside a running job when its cancel was asked for."""


# Where things are ---------------------------------------------------------------------------


def job_dir(job: Job) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / job.key.hex


def upload_path(job: Job) -> Path:
    return job_dir(job) / "upload"


def result_path(job: Job) -> Path:
    return job_dir(job) / "result"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


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
    running = (
        Job.objects.restrict(acting_user, "view")
        .active()
        .filter(target=target, checksum=checksum)
        .first()
    )
    if running is not None:
        return running, False
    from zoneops.jobs.tasks import run_job

    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=Job.Kind.IMPORT,
                title=title[:300],
                user=acting_user,
                zone=user_zone(acting_user),
                language=translation.get_language() or settings.LANGUAGE_CODE,
                target=target,
                file_name=Path(name).name[:200],
                file_size=len(content),
                checksum=checksum,
                return_url=return_url,
            )
            folder = job_dir(job)
            folder.mkdir(parents=True, exist_ok=True)
            upload_path(job).write_bytes(content)
            result = run_job.enqueue(job.pk)
            job.task_id = str(result.id)
            job.save(update_fields=["task_id"])
    except IntegrityError:
        # The same file was queued by a request a moment ahead of this one.
        running = Job.objects.filter(
            user=acting_user, target=target, checksum=checksum, state__in=Job.ACTIVE
        ).first()
        if running is None:
            raise
        return running, False
    return job, True


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
    from zoneops.jobs.tasks import run_job

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
    running = (
        Job.objects.restrict(acting_user, "view")
        .active()
        .filter(target=name, checksum=checksum)
        .first()
    )
    if running is not None:
        return running, False
    from zoneops.jobs.tasks import run_job

    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=work.kind,
                title=title[:300],
                user=acting_user,
                zone=user_zone(acting_user),
                language=translation.get_language() or settings.LANGUAGE_CODE,
                target=name,
                params=encoded,
                file_size=len(content),
                checksum=checksum,
                return_url=return_url,
            )
            if content:
                job_dir(job).mkdir(parents=True, exist_ok=True)
                upload_path(job).write_bytes(content)
            job.task_id = str(run_job.enqueue(job.pk).id)
            job.save(update_fields=["task_id"])
    except IntegrityError:
        running = Job.objects.filter(
            user=acting_user, target=name, checksum=checksum, state__in=Job.ACTIVE
        ).first()
        if running is None:
            raise
        return running, False
    return job, True


# Running ------------------------------------------------------------------------------------


class Progress:
    """The ``background.report`` callback of a running job: writes ``progress.json`` at most
    every ``PROGRESS_EVERY`` seconds (and at each new phase) and stops the job when its
    ``cancel`` file appears."""

    def __init__(self, job: Job):
        self.folder = job_dir(job)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "progress.json"
        self.cancel_path = self.folder / "cancel"
        self.phase = None
        self.phase_started = time.time()
        self.totals: dict[str, int | None] = {}
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None, phase: str = "") -> None:
        if self.cancel_path.exists():  # a stat: callers report every few hundred rows
            raise JobCancelled
        if total is not None:  # kept even when not written: a short phase's total
            self.totals[phase] = total
        now = time.monotonic()
        if phase == self.phase and now - self.last < PROGRESS_EVERY:
            return
        if phase != self.phase:
            self.phase = phase
            self.phase_started = time.time()
        self.last = now
        self.write(done, self.totals.get(phase))

    def write(self, done: int, total: int | None) -> None:
        data = {
            "phase": self.phase or "",
            "done": done,
            "total": total,
            "phase_started": self.phase_started,
            "at": time.time(),
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self.path)


def read_progress(job: Job) -> dict:
    """The job's latest progress: the worker's file while it runs, else the row."""
    data = {"phase": job.phase, "done": job.done, "total": job.total, "eta": None}
    if job.state != Job.State.RUNNING:
        return data
    try:
        found = json.loads((job_dir(job) / "progress.json").read_text())
    except (OSError, ValueError):
        return data
    data.update(phase=found.get("phase", ""), done=found.get("done", 0), total=found.get("total"))
    done, total = data["done"], data["total"]
    elapsed = found.get("at", 0) - found.get("phase_started", 0)
    if total and done and elapsed > 0 and done < total:
        data["eta"] = max(1, round((total - done) * elapsed / done))
    return data


def cancel_requested(job: Job) -> bool:
    return (job_dir(job) / "cancel").exists()


def claim(job_id: int) -> Job | None:
    """Mark a queued job running (by this worker); None if it is no longer queued."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now(), worker=worker_name()
    )
    return Job.objects.select_related("user").get(pk=job_id) if claimed else None


def finish(job: Job, state: str, **fields) -> None:
    """Record the end of a job and tell its owner (the bell), in one transaction."""
    with transaction.atomic():
        job.state = state
        job.finished_at = timezone.now()
        for name, value in fields.items():
            setattr(job, name, value)
        job.save()
        background.job_finished.send(sender=Job, job=job, state=state)
    for leftover in ("upload", "cancel", "progress.json"):
        (job_dir(job) / leftover).unlink(missing_ok=True)


def run(job_id: int) -> str:
    """The body of the task: run the job, record its end. Returns the final state."""
    job = claim(job_id)
    if job is None:
        return "skipped"
    if cancel_requested(job):
        finish(job, Job.State.CANCELLED, message=_("Cancelled before it started."))
        return Job.State.CANCELLED
    with translation.override(job.language):
        try:
            if job.kind == Job.Kind.IMPORT:
                run_import(job)
            elif job.kind == Job.Kind.EXPORT:
                run_export(job)
            else:
                run_work(job)
        except JobCancelled:
            finish(job, Job.State.CANCELLED, message=_("Cancelled: nothing was written."))
        except (imports.ImportFileError, PermissionDenied) as exc:
            finish(job, Job.State.FAILED, message=str(exc))
        except ValidationError as exc:  # work refused by its service: nothing was written
            finish(job, Job.State.FAILED, message=" ".join(exc.messages))
        except Exception:
            logger.exception("job %s failed", job.pk)
            finish(
                job,
                Job.State.FAILED,
                message=_("The job stopped on an unexpected error; nothing was written."),
            )
    return job.state


def run_import(job: Job) -> None:
    from zoneops.core.ui.generic import BulkImportView

    view_class = import_string(job.target)
    if not (isinstance(view_class, type) and issubclass(view_class, BulkImportView)):
        raise ValueError(f"{job.target} is not an import page")
    user = job.user
    if user is None or not user.is_active or not role_may(user, ADD, view_class.model):
        raise PermissionDenied(_("Your role may not import records here."))
    content = upload_path(job).read_bytes()
    progress = Progress(job)
    importer = view_class.importer_class(user)
    with (
        context.acting_as(user, request_id=job.key),
        context.request_memo(),
        background.reporting(progress),
    ):
        result = importer.run(job.file_name, content)
    done = progress.totals.get(background.CHECKING) or job.total or 0
    if result.ok:
        finish(
            job,
            Job.State.DONE,
            phase="",
            done=done,
            total=done,
            created_count=result.created,
            updated_count=result.updated,
            skipped_count=getattr(result, "skipped", 0),
        )
        return
    rows = [[e.row, e.field, e.value, e.reason] for e in result.errors]
    handle = exports.write_xlsx([_("Row"), _("Field"), _("Value"), _("Reason")], rows)
    with open(result_path(job), "wb") as out:
        shutil.copyfileobj(handle, out)
    finish(
        job,
        Job.State.FAILED,
        phase="",
        done=done,
        total=done,
        error_count=len(result.errors),
        errors=[e.__dict__ for e in result.errors[:MAX_SHOWN_ERRORS]],
        result_name=f"{Path(job.file_name).stem}-errors.xlsx",
        message=_("Nothing was imported: {count} problems were found.").format(
            count=len(result.errors)
        ),
    )


def run_export(job: Job) -> None:
    from django.http import HttpRequest, QueryDict
    from django.urls import resolve

    from zoneops.core.ui.generic import ObjectListView, applied_filters

    match = resolve(job.target)
    view_class = getattr(match.func, "view_class", None)
    if not (isinstance(view_class, type) and issubclass(view_class, ObjectListView)):
        raise ValueError(f"{job.target} is not a list page")
    user = job.user
    if user is None or not user.is_active:
        raise PermissionDenied(_("The account that started this job is no longer active."))
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.target
    request.GET = QueryDict(job.params)
    request.user = user
    request.resolver_match = match
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    view = view_class()
    view.setup(request, *match.args, **match.kwargs)
    progress = Progress(job)
    with (
        context.acting_as(user, request_id=job.key),
        context.request_memo(),
        background.reporting(progress),
    ):
        progress(0, None, background.READING)
        columns = view.bound_columns()
        qs, filterset = view.filtered()
        qs, _sort = view.sort(qs, columns)
        view.applied = applied_filters(request, filterset)
        handle = view.export_file(qs, columns)
        with open(result_path(job), "wb") as out:
            shutil.copyfileobj(handle, out)
    rows = progress.totals.get(background.WRITING) or 0
    finish(job, Job.State.DONE, phase="", done=rows, total=rows, result_name=view.export_name_for())


def run_work(job: Job) -> None:
    """A registered piece of work (``core.registries.background.register_work``), as its owner."""
    work = background.work(job.target)
    user = job.user
    if user is None or not user.is_active:
        raise PermissionDenied(_("The account that started this job is no longer active."))
    path = upload_path(job)
    content = path.read_bytes() if path.exists() else b""
    progress = Progress(job)
    with (
        context.acting_as(user, request_id=job.key),
        context.request_memo(),
        background.reporting(progress),
    ):
        progress(0, None, background.WORKING)
        result = work.run(json.loads(job.params or "{}"), acting_user=user, content=content)
    done = progress.totals.get(progress.phase) or 0
    fields = {
        "phase": "",
        "done": done,
        "total": done,
        "created_count": result.created,
        "updated_count": result.updated,
        "skipped_count": result.skipped,
        "message": result.message,
    }
    if result.url:
        fields["return_url"] = result.url
    if result.file is not None:
        result_path(job).write_bytes(result.file)
        fields["result_name"] = result.file_name[:200]
    if result.errors:
        fields.update(error_count=len(result.errors), errors=result.errors[:MAX_SHOWN_ERRORS])
        finish(job, Job.State.FAILED, **fields)
        return
    finish(job, Job.State.DONE, **fields)


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
                        "The worker stopped after the import was written; the counts were not "
                        "recorded."
                    ),
                )
            else:
                finish(
                    job,
                    Job.State.FAILED,
                    message=_(
                        "The worker stopped during the job: nothing was written. "
                        "Upload the file again."
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
