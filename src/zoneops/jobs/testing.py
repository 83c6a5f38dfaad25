"""Helpers for tests and benches of background jobs: the real worker, run once."""


def run_worker(max_tasks: int | None = None) -> None:
    """django-tasks-db's worker in this process until the queue is empty (its batch mode):
    the same claim, run and result bookkeeping as ``zoneops job_worker``."""
    from django_tasks_db.management.commands.db_worker import Worker

    from zoneops.jobs import services

    services.recover_stale()
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=services.worker_name(),
        excluded_queue_names=[],
    ).run()
