import os
import secrets

from django.core.management.base import BaseCommand

from zoneops.core.models import Role, User


class Command(BaseCommand):
    help = (
        "Create an administrator with a random password printed once "
        "(or ZONEOPS_ADMIN_PASSWORD). Does nothing if the user exists, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("ZONEOPS_ADMIN_USER", "admin"))
        parser.add_argument(
            "--reset", action="store_true", help="set a new password if the user exists"
        )

    def handle(self, *args, username, reset, **options):
        password = os.environ.get("ZONEOPS_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user = User.objects.filter(username=username).first()
        if user is not None and not reset:
            self.stdout.write(f"Administrator '{username}' already exists; password unchanged.")
            return
        if user is None:
            user = User(username=username, role=Role.ADMIN, is_staff=True, is_superuser=True)
        user.set_password(password)
        # A generated initial password must be replaced at first login.
        user.must_change_password = not os.environ.get("ZONEOPS_ADMIN_PASSWORD")
        user.save()
        shown = (
            "(from ZONEOPS_ADMIN_PASSWORD)"
            if os.environ.get("ZONEOPS_ADMIN_PASSWORD")
            else password
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator: {username} / {shown}  (shown once)  {user.get_role_display()} · —"
            )
        )
