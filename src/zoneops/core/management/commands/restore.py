from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.ops import backup


class Command(BaseCommand):
    help = "Replace the database and uploaded files with a backup archive (stop the server first)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes, **options):
        path = Path(archive)
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            manifest = backup.read_manifest(path)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not yes:
            answer = input(
                f"Replace ALL current data with the backup of {manifest['created_at']}? [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            backup.restore(path)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} ({sum(manifest['tables'].values())} rows).")
