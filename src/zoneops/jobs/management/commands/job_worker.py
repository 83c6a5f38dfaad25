"""``zoneops job_worker``: django-tasks-db's worker (``db_worker``) for background jobs.

Before it takes the first task it gives up the jobs a dead worker left running
(``services.recover_stale``). Its worker id is ``host:pid`` so that the next worker can tell.
``--exit-with-parent`` stops it when the process that started it is gone (``zoneops demo``).
"""

import os
import signal
import threading
import time

from django.urls import get_resolver
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from zoneops.jobs import services, tasks


def watch_parent() -> None:
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


class Command(DBWorkerCommand):
    help = "Run the background job worker (后台作业): imports, exports and other long work."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=tasks.worker_name(), reload=False)
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="stop when the process that started the worker ends",
        )

    def handle(self, *args, exit_with_parent: bool = False, **options):
        if exit_with_parent:
            watch_parent()
        for job in services.recover_stale():
            self.stdout.write(f"job {job.pk} left by a stopped worker: {job.state}")
        options["worker_id"] = tasks.worker_name()
        # Load the URLs (and with them every view module) now rather than in the first job.
        get_resolver().url_patterns  # noqa: B018
        return super().handle(*args, **options)
