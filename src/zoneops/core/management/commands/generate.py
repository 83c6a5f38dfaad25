import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zoneops.core.access.context import acting_as
from zoneops.core.models import Zone
from zoneops.core.registries import rollups
from zoneops.core.registries.app_modules import app_modules


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic dataset for benchmarks: zones and users, then each "
        "app's records (enterprises, figures, projects …). Same options and seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        for _app, module in app_modules("generate"):
            module.add_arguments(parser)

    def handle(self, *args, **options):
        if Zone.objects.filter(code="S").exists():
            raise CommandError(
                "Synthetic data is already here (zone code S); use a fresh database."
            )
        rng = random.Random(options["seed"])
        zones: list[Zone] = []
        with acting_as(None), transaction.atomic():
            for app, module in app_modules("generate"):
                started = time.perf_counter()
                summary = module.generate(options, rng=rng, zones=zones, stdout=self.stdout)
                self.stdout.write(f"{app}: {summary} ({time.perf_counter() - started:.1f} s)")
            # The roll-ups from the loaded rows, one GROUP BY pass per roll-up (until the
            # generation's own after-load hook calls it).
            started = time.perf_counter()
            rows = rollups.rebuild_after_load()
            self.stdout.write(f"rollups: {rows} rows ({time.perf_counter() - started:.1f} s)")
