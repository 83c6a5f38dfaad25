from django.core.management import call_command
from django.core.management.base import BaseCommand

from zoneops.core.models import User


class Command(BaseCommand):
    help = "Migrate, load the demo data, create the demo administrator once, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not serve")

    def handle(self, *args, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("seed_demo", stdout=self.stdout)
        if not User.objects.filter(username="admin").exists():
            call_command("createadmin", stdout=self.stdout)
        else:
            self.stdout.write(
                "Administrator 'admin' exists (its password was printed when it was created)."
            )
        if not no_serve:
            call_command("serve")
