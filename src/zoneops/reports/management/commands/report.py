from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.access.context import acting_as
from zoneops.core.models import Zone
from zoneops.reports import services


class Command(BaseCommand):
    help = "Make the dispatch pack (调度通报) of a zone for a month: a .docx and an .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="zone code, e.g. CCGX")
        parser.add_argument("--period", required=True, help="YYYY-MM, e.g. 2025-09")
        parser.add_argument(
            "--output", default=".", help="folder for the two files (default: here)"
        )
        parser.add_argument(
            "--issue",
            action="store_true",
            help="issue the pack: take the zone's next document number (发文字号) of the year",
        )

    def handle(self, *args, zone, period, output, issue=False, **options):
        found = Zone.objects.filter(code=zone).first()
        if found is None:
            raise CommandError(f"No zone with code {zone!r}.")
        try:
            year, month = (int(part) for part in period.split("-"))
        except ValueError:
            raise CommandError("Write the period as YYYY-MM, e.g. 2025-09.") from None
        if not 1 <= month <= 12:
            raise CommandError("The month must be between 1 and 12.")
        with acting_as(None):
            pack = services.build_pack(zone=found, year=year, month=month, acting_user=None)
            if issue:
                pack = services.issue_pack(pack, acting_user=None)
                self.stdout.write(pack.document_number)
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for fmt, render in (("docx", services.render_docx), ("xlsx", services.render_xlsx)):
            path = folder / f"dispatch-{found.code}-{pack.period}.{fmt}"
            path.write_bytes(render(pack))
            self.stdout.write(str(path))
