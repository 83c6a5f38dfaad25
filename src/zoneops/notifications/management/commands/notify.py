import signal
import threading

from django.core.management.base import BaseCommand

from zoneops.notifications import delivery


class Command(BaseCommand):
    help = (
        "Send the outgoing messages that are due (WeCom/DingTalk robots, SMS, in-app). "
        "With --follow, keep doing so until stopped (for servers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true", help="keep draining until stopped")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds to rest when nothing is due"
        )

    def handle(self, *args, follow=False, interval=2.0, **options):
        if not follow:
            self.stdout.write(str(delivery.drain()))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        delivery.follow(interval=interval, stop=stop, out=self.stdout)
