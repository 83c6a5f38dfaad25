from django.core.management import call_command
from django.core.management.base import BaseCommand

from zoneops.core.models import User


class Command(BaseCommand):
    help = "Migrate, load the demo data, create the demo administrator once, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not serve")

    def handle(self, *args, no_serve, **options):
        if not no_serve:  # before anything is set up: the port is the usual stumbling block
            import os

            from zoneops.core.management.commands.serve import check_free

            check_free(os.environ.get("ZONEOPS_BIND", "127.0.0.1:8000"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("seed_demo", stdout=self.stdout)
        if not User.objects.filter(username="admin").exists():
            call_command("createadmin", stdout=self.stdout)
        else:
            self.stdout.write(
                "Administrator 'admin' exists (its password was printed when it was created)."
            )
        from django.conf import settings

        if settings.ZONEOPS_REQUIRE_ADMIN_TOTP:
            self.stdout.write(
                "Administrators (admin, sec_admin, auditor) set up a second factor at first "
                "login: scan the QR code with an authenticator app. For a demo without a phone "
                "run with ZONEOPS_REQUIRE_ADMIN_TOTP=0 (make demo does)."
            )
        else:
            self.stdout.write(
                "ZONEOPS_REQUIRE_ADMIN_TOTP=0: administrators log in without a second factor "
                "(development and demo only)."
            )
        if not no_serve:
            self.start_job_worker()
            call_command("serve")

    def start_job_worker(self) -> None:
        """The background job worker beside the web server (it stops when the server does)."""
        import subprocess
        import sys

        from django.core.management import get_commands

        if "job_worker" not in get_commands():
            return
        subprocess.Popen(
            [sys.executable, "-m", "zoneops", "job_worker", "--exit-with-parent", "--verbosity=1"]
        )
        self.stdout.write("Background job worker started (zoneops job_worker).")
