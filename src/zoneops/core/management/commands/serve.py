import os
import shutil
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve zoneops with gunicorn on http://127.0.0.1:8000 (plain HTTP on loopback)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ZONEOPS_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args, bind, workers, **options):
        env = dict(os.environ)
        # Loopback serving has no TLS in front of it; production sets ZONEOPS_HTTPS=1 behind nginx.
        env.setdefault("ZONEOPS_HTTPS", "0")
        env.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        self.stdout.write(f"Serving on http://{bind}/  (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execve(
            gunicorn,
            [
                gunicorn,
                "zoneops.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ],
            env,
        )
