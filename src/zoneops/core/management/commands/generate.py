import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zoneops.core.access.context import acting_as
from zoneops.core.models import Zone
from zoneops.core.ops import bulkload
from zoneops.core.registries import rollups
from zoneops.core.registries.app_modules import app_modules

# ``--province``: a province of 100 development zones; per zone, at ``--fraction 1``:
PROVINCE_ZONES = 100
PER_ZONE = {
    "enterprises": 20_000,
    "projects": 5_000,
    "appeals": 50_000,
    "leads": 500,
    "hazards": 2_000,
}
PROVINCE_MONTHS = 36


def province_options(options: dict) -> dict:
    """The sizes of ``--province --fraction F`` (F of every zone's records, 100 zones)."""
    fraction = options.get("fraction") or 1.0
    if not 0 < fraction <= 1:
        raise CommandError("--fraction must be in (0, 1].")
    sized = {**options, "zones": PROVINCE_ZONES, "months": PROVINCE_MONTHS}
    for name, per_zone in PER_ZONE.items():
        sized[name] = max(1, round(per_zone * fraction)) * PROVINCE_ZONES
    return sized


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic dataset for benchmarks: zones and users, then each "
        "app's records (enterprises, figures, projects …). Same options and seed, same data. "
        "On PostgreSQL the big tables are made by the database itself (INSERT … SELECT), their "
        "indexes and constraints rebuilt after the load."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--province",
            action="store_true",
            help="a province: 100 zones, per zone 20,000 enterprises with 36 months of figures, "
            "5,000 projects, 50,000 appeals … (times --fraction); overrides the sizes",
        )
        parser.add_argument(
            "--fraction", type=float, default=1.0, help="with --province: the share of it"
        )
        parser.add_argument(
            "--python",
            action="store_true",
            help="build every row in Python even on PostgreSQL (slow; for comparison)",
        )
        for _app, module in app_modules("generate"):
            module.add_arguments(parser)

    def handle(self, *args, **options):
        if Zone.objects.filter(code="S").exists():
            raise CommandError(
                "Synthetic data is already here (zone code S); use a fresh database."
            )
        if options.get("province"):
            options = province_options(options)
        rng = random.Random(options["seed"])
        zones: list[Zone] = []
        modules = app_modules("generate")
        in_database = bulkload.available() and not options.get("python")
        progress = bulkload.Progress(self.stdout)
        if in_database:
            for _app, module in modules:
                if hasattr(module, "expected_rows"):
                    progress.expect(module.expected_rows(options))
        started_all = time.perf_counter()
        with acting_as(None):
            first, *rest = modules
            self._python(first, options, rng, zones, progress)
            in_sql = [(a, m) for a, m in rest if in_database and hasattr(m, "generate_in_database")]
            if in_sql:
                loader = bulkload.Loader(options["seed"], progress)
                tables = [m._meta.db_table for _a, module in in_sql for m in module.BULK_MODELS]
                with bulkload.deferred_indexes(tables, progress):
                    for app, module in in_sql:
                        started = time.perf_counter()
                        summary = module.generate_in_database(options, loader=loader, zones=zones)
                        progress.line(f"{app}: {summary} ({time.perf_counter() - started:.1f} s)")
            # The apps made in Python after the indexes are back: their services query the
            # tables just loaded (a task's loop case and its roll-up, per task).
            for app_module in rest:
                if app_module not in in_sql:
                    self._python(app_module, options, rng, zones, progress)
            self._after_generate(modules)
        progress.line(f"generated in {time.perf_counter() - started_all:.1f} s")

    def _python(self, app_module, options, rng, zones, progress) -> None:
        app, module = app_module
        started = time.perf_counter()
        # Roll-ups once per touched slice at the module's end, not once per record.
        with transaction.atomic(), rollups.batch():
            summary = module.generate(options, rng=rng, zones=zones, stdout=self.stdout)
        progress.line(f"{app}: {summary} ({time.perf_counter() - started:.1f} s)")

    def _after_generate(self, modules) -> None:
        """After a bulk load: each app's optional ``after_generate(stdout)`` (summary tables
        rebuilt from the loaded rows, …), in app order, each in its own transaction."""
        for app, module in modules:
            hook = getattr(module, "after_generate", None)
            if hook is None:
                continue
            started = time.perf_counter()
            with transaction.atomic():
                hook(self.stdout)
            self.stdout.write(f"{app}: after load ({time.perf_counter() - started:.1f} s)")
        # The roll-ups from the loaded rows, one GROUP BY pass per roll-up.
        started = time.perf_counter()
        with transaction.atomic():
            rows = rollups.rebuild_after_load()
        self.stdout.write(f"rollups: {rows} rows ({time.perf_counter() - started:.1f} s)")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
