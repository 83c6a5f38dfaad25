from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zoneops.core.ops import backup


class Command(BaseCommand):
    help = "Write a consistent backup (database + uploaded files) to a .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="archive path (default: DATA_DIR/backups/zoneops-<time>.tar.gz)"
        )

    def handle(self, *args, output=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = (
            Path(output)
            if output
            else Path(settings.DATA_DIR) / "backups" / f"zoneops-{stamp}.tar.gz"
        )
        try:
            manifest = backup.backup(path)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{path}: {len(manifest['tables'])} tables, {rows} rows ({manifest['engine']})"
        )
