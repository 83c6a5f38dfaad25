from django.core.management.base import BaseCommand

from zoneops.core.ops.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo data derived from the seed articles (idempotent)."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(f"Zones created: {result['zones_created']}")
        for app_result in result.get("apps", []):
            self.stdout.write(app_result)
        if result["users_created"]:
            self.stdout.write(
                "Demo accounts (shown once, write them down; each chooses a new password at "
                "first login):"
            )
            width = max(len(row[0]) + len(row[1]) for row in result["users_created"]) + 3
            for username, password, role, zones in result["users_created"]:
                login = f"{username} / {password}".ljust(width)
                self.stdout.write(f"  {login}  {role} · {zones or '—'}")
