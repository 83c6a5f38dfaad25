from django.core.management.base import BaseCommand

from zoneops.core import services


class Command(BaseCommand):
    help = (
        "The periodic job: recompute due-soon, overdue and escalation of every open case, "
        "then queue and send the notifications that follow."
    )

    def handle(self, *args, **options):
        result = services.tick()
        self.stdout.write(
            f"checked {result.checked} open cases, {result.changed} changed level, "
            f"{result.escalated} escalated"
        )
        forgotten = services.purge_client_submissions()
        self.stdout.write(f"forgot {forgotten} client tokens older than the retry window")
        from zoneops.notifications import delivery
        from zoneops.notifications import services as notify

        scanned = notify.scan()
        sent = delivery.drain()
        self.stdout.write(
            f"notifications: {scanned.leads} lead and {scanned.red_projects} red-light messages, "
            f"{scanned.digest} digest messages queued; {sent}"
        )
