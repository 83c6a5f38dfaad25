import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zoneops.core.accounts.security import MIN_AUDIT_RETENTION_DAYS
from zoneops.core.models import ObjectChange, SecurityEvent


class Command(BaseCommand):
    help = (
        "Remove audit trail rows (change log and security events) older than the given number "
        "of days; refuses anything younger than ZONEOPS_AUDIT_RETENTION_DAYS (at least 180)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days", type=int, required=True, help="remove rows older than this"
        )
        parser.add_argument("--dry-run", action="store_true", help="count only")

    def handle(self, *args, older_than_days, dry_run, **options):
        retention = max(
            MIN_AUDIT_RETENTION_DAYS,
            int(getattr(settings, "ZONEOPS_AUDIT_RETENTION_DAYS", MIN_AUDIT_RETENTION_DAYS)),
        )
        if older_than_days < retention:
            raise CommandError(
                f"Refused: audit rows are kept at least {retention} days "
                f"(ZONEOPS_AUDIT_RETENTION_DAYS); --older-than-days {older_than_days} would "
                "remove younger ones."
            )
        cutoff = timezone.now() - dt.timedelta(days=older_than_days)
        for model in (ObjectChange, SecurityEvent):
            if dry_run:
                count = model.objects.filter(time__lt=cutoff).count()
            else:
                count = model.objects.purge_older_than(cutoff)
            verb = "would remove" if dry_run else "removed"
            self.stdout.write(
                f"{model._meta.label}: {verb} {count} rows older than {cutoff:%Y-%m-%d}"
            )
