import logging

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.loop import services
from zoneops.core.registries import ticks
from zoneops.core.ui import submissions

logger = logging.getLogger(__name__)


def _escalate() -> tuple[str, list[str]]:
    result = services.tick()
    line = (
        f"checked {result.checked} open cases, {result.changed} changed level, "
        f"{result.escalated} escalated"
    )
    return line, result.failures


def _forget_tokens() -> tuple[str, list[str]]:
    forgotten = submissions.purge_client_submissions()
    return f"forgot {forgotten} client tokens older than the retry window", []


class Command(BaseCommand):
    help = (
        "The periodic job: recompute due-soon, overdue and escalation of every open case, "
        "then the jobs the apps register (notifications: scan and deliver). A failing item or "
        "job is reported and the rest still run; the exit status is then non-zero."
    )

    def handle(self, *args, **options):
        steps = [("escalation", _escalate), ("client tokens", _forget_tokens)]
        steps += [(job.name, lambda job=job: (job.run(), [])) for job in ticks.registered()]
        failures: list[str] = []
        for name, step in steps:
            try:
                line, failed = step()
            except Exception as exc:  # noqa: BLE001 - one job must not stop the others
                logger.exception("tick: %s failed", name)
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(line)
            failures += [f"{name}: {reason}" for reason in failed]
        if failures:
            for reason in failures:
                self.stderr.write(reason)
            raise CommandError(f"tick finished with {len(failures)} failure(s); see above")
