"""Long work handed to the background (后台作业), as seen from the framework.

Core imports no app; the ``jobs`` app plugs in from its ``AppConfig.ready()``:

- ``register_import_runner(run)``: ``generic.BulkImportView`` hands an upload of at least
  ``ZONEOPS_JOB_IMPORT_MIN_KB`` to ``run(view, request, upload)``, which answers the request
  (the job's page) instead of importing inside it. Without a runner, imports run in the request.
- ``register_export_runner(run)``: ``generic.ObjectListView`` hands an ``?export=xlsx`` of
  more than ``ZONEOPS_JOB_EXPORT_MIN_ROWS`` rows to ``run(view, request)`` likewise.
- ``job_finished``: sent (inside the transaction that records the end) when a job is done,
  failed or cancelled; ``notifications`` rings the owner's bell.
- ``report(done, total, phase)``: what an import (or any long piece of work) calls as it goes;
  the job in which it runs records the progress, may stop it (cancel) by raising from here.
  Outside a job it costs a context-variable read.
- ``register_work(name, run, kind=...)``: other long work (the dispatch pack, the calendar's
  recomputation of deadlines, the intake of a long text, a large bulk API call), registered by
  the app that owns it; ``start_work(name, ...)`` hands it to a job when the jobs app has
  registered its starter (``register_work_starter``), and answers None otherwise, when the
  caller does the work in the request. ``run(params, *, acting_user, content)`` returns a
  ``WorkResult``; it reports its progress with ``report`` and writes inside its own transaction,
  so a cancel or a killed worker leaves nothing written.
"""

import contextlib
import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.dispatch import Signal

# sender=Job model, job=..., state=...
job_finished = Signal()

_import_runner: Callable | None = None
_export_runner: Callable | None = None


def register_import_runner(run: Callable) -> None:
    global _import_runner
    _import_runner = run


def import_runner() -> Callable | None:
    return _import_runner


def register_export_runner(run: Callable) -> None:
    """``run(view, request)``: a list export of more than ``export_min_rows()`` rows."""
    global _export_runner
    _export_runner = run


def export_runner() -> Callable | None:
    return _export_runner


def export_min_rows() -> int:
    """List exports of more rows than this are written by a job."""
    return int(getattr(settings, "ZONEOPS_JOB_EXPORT_MIN_ROWS", 5000))


def import_min_bytes() -> int:
    """Uploads at least this large are imported as a job (0: every upload)."""
    return int(getattr(settings, "ZONEOPS_JOB_IMPORT_MIN_KB", 64)) * 1024


# Phases an import reports, in order.
READING, CHECKING, WRITING = "reading", "checking", "writing"
# What other work reports (each piece may name its own steps with these).
WORKING = "working"

_progress: contextvars.ContextVar[Callable | None] = contextvars.ContextVar(
    "zoneops_job_progress", default=None
)


def current() -> Callable | None:
    """The progress callback of the job running here (None outside a job)."""
    return _progress.get()


def report(done: int, total: int | None = None, phase: str = "") -> None:
    callback = _progress.get()
    if callback is not None:
        callback(done, total, phase)


@contextlib.contextmanager
def reporting(callback: Callable | None):
    """Send every ``report(...)`` inside the block to ``callback(done, total, phase)`` (None:
    to nobody, for a step whose writing is not the job's progress)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


# Other long work ----------------------------------------------------------------------------


@dataclass
class WorkResult:
    """What a piece of work hands back to its job: counts, row errors (each a dict with row,
    field, value, reason), a message, a file to download, and the page of what it made."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    message: str = ""
    file: bytes | None = None
    file_name: str = ""
    url: str = ""


@dataclass(frozen=True)
class Work:
    name: str
    run: Callable[..., WorkResult]
    kind: str


_works: dict[str, Work] = {}
_work_starter: Callable | None = None


def register_work(name: str, run: Callable[..., WorkResult], *, kind: str) -> None:
    """``kind``: one of the jobs' kinds (pack, recompute, intake, bulk), shown on the pages."""
    _works[name] = Work(name, run, kind)


def work(name: str) -> Work:
    return _works[name]


def register_work_starter(start: Callable) -> None:
    global _work_starter
    _work_starter = start


def start_work(
    name: str,
    *,
    params: dict,
    title: str,
    acting_user,
    content: bytes = b"",
    return_url: str = "",
):
    """Queue the work ``name`` as a job: ``(job, created)`` (``created`` False when the same
    work is already queued or running for this user: that job). None without a job system."""
    if _work_starter is None:
        return None
    return _work_starter(
        name,
        params=params,
        title=title,
        acting_user=acting_user,
        content=content,
        return_url=return_url,
    )


def work_min_rows() -> int:
    """Bulk API calls of more records than this are answered 202 and written by a job."""
    return int(getattr(settings, "ZONEOPS_JOB_BULK_MIN_ROWS", 2000))


def intake_min_chars() -> int:
    """Texts of at least this many characters are read by a job."""
    return int(getattr(settings, "ZONEOPS_JOB_INTAKE_MIN_CHARS", 20000))


def keep_days() -> int:
    """Finished jobs and their files are removed after this many days (0: kept)."""
    return int(getattr(settings, "ZONEOPS_JOB_KEEP_DAYS", 30))
