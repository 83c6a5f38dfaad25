"""Helpers for tests and benches of background jobs: the real worker, run once."""


def run_worker(max_tasks: int | None = None) -> None:
    """django-tasks-db's worker in this process until the queue is empty (its batch mode):
    the same claim, run and result bookkeeping as ``zoneops job_worker``.

    Without the worker's ``close_old_connections`` between tasks: inside a test's transaction
    it would close the connection (PostgreSQL then answers "the connection is closed"; SQLite's
    in-memory test database ignores it), and a process that runs the worker once has no old
    connections to recycle."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    from zoneops.jobs import services

    services.recover_stale()
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        _run_once(db_worker.Worker, max_tasks)


def _run_once(worker_class, max_tasks) -> None:
    from zoneops.jobs import tasks

    worker_class(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=tasks.worker_name(),
        excluded_queue_names=[],
    ).run()
