import sys
import time

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.accounts.models import Role, User
from zoneops.core.ops import rollups as rollup_ops
from zoneops.core.registries import rollups
from zoneops.core.zones.models import Zone


class Command(BaseCommand):
    help = (
        "The roll-ups (summary tables the dashboard and the dispatch pack read): --check "
        "recomputes every roll-up from scratch and reports each difference with the kept rows "
        "(exit status 1 when there is one); --rebuild recomputes them (one zone and its "
        "sub-zones with --zone CODE), in a background job with --background."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Report every difference.")
        action.add_argument("--rebuild", action="store_true", help="Recompute the roll-ups.")
        parser.add_argument("--zone", help="Only this zone (code) and its sub-zones.")
        parser.add_argument(
            "--background",
            action="store_true",
            help="With --rebuild: queue a background job (后台作业) and print its page.",
        )
        parser.add_argument(
            "--user",
            help="With --background: the administrator who owns the job (default: the first).",
        )

    def handle(self, *args, **options):
        zone = None
        if options["zone"]:
            zone = Zone.objects.filter(code=options["zone"]).first()
            if zone is None:
                raise CommandError(f"No zone with code {options['zone']!r}.")
        if options["check"]:
            self._check(zone)
        elif options["background"]:
            self._start(zone, options["user"])
        else:
            started = time.perf_counter()
            rows = rollup_ops.rebuild(zone=zone, acting_user=None)
            self.stdout.write(
                f"rebuilt {len(rollups.registered())} roll-ups: {rows} rows "
                f"({time.perf_counter() - started:.1f} s)"
            )

    def _check(self, zone):
        zone_ids = None if zone is None else list(zone.subtree().values_list("pk", flat=True))
        differences = rollups.check(zone_ids=zone_ids)
        for difference in differences:
            self.stdout.write(str(difference))
        if differences:
            self.stderr.write(f"{len(differences)} difference(s) in the roll-ups")
            sys.exit(1)
        self.stdout.write(f"{len(rollups.registered())} roll-ups checked: no difference")

    def _start(self, zone, username):
        admins = User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk")
        user = admins.filter(username=username).first() if username else admins.first()
        if user is None:
            raise CommandError("No active administrator to own the job (see --user).")
        queued = rollup_ops.start_rebuild(zone=zone, acting_user=user)
        if queued is None:
            raise CommandError("No job system is installed: run --rebuild without --background.")
        job, created = queued
        state = "queued" if created else "already queued or running"
        self.stdout.write(f"job {job.pk} {state}: {job.get_absolute_url()}")
