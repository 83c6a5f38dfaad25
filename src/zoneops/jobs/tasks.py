"""The task the job worker runs (django-tasks), one per job by the job's id, and what it runs:
claiming the job, its progress file, the import or export itself, and recording its end."""

import json
import logging
import os
import shutil
import socket
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from zoneops.core.access import context
from zoneops.core.access.permissions import ADD, role_may
from zoneops.core.db.router import replica_reads
from zoneops.core.files import exports, imports
from zoneops.core.registries import background
from zoneops.jobs.models import Job

logger = logging.getLogger("zoneops.jobs")

MAX_SHOWN_ERRORS = 500  # on the page; the .xlsx holds every error the importer listed
PROGRESS_EVERY = 0.25  # seconds between two writes of progress.json


class JobCancelled(Exception):
    """Raised inside a running job when its cancel was asked for."""


def job_dir(job: Job) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / job.key.hex


def upload_path(job: Job) -> Path:
    return job_dir(job) / "upload"


def result_path(job: Job) -> Path:
    return job_dir(job) / "result"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


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
    # The rows are only read: they may come from the read replica (zoneops.core.db.router),
    # as the same export answered in the request would.
    with (
        replica_reads("export job"),
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


@task()
def run_job(job_id: int) -> str:
    return run(job_id)
