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
"""

import contextlib
import contextvars
from collections.abc import Callable

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
def reporting(callback: Callable):
    """Send every ``report(...)`` inside the block to ``callback(done, total, phase)``."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)
