from django.core.management.base import BaseCommand

from zoneops.core import services


class Command(BaseCommand):
    help = "The periodic job: recompute due-soon, overdue and escalation of every open case."

    def handle(self, *args, **options):
        result = services.tick()
        self.stdout.write(
            f"checked {result.checked} open cases, {result.changed} changed level, "
            f"{result.escalated} escalated"
        )
