"""Deterministic synthetic zones and users for benchmarks (``zoneops generate``)."""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from zoneops.core.access.roles import Role
from zoneops.core.accounts.models import User
from zoneops.core.audit import bulk
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import workflows as loop
from zoneops.core.zones.models import Department, Zone

ZONES_PER_CITY = 10
PARKS_PER_ZONE = 2


def add_arguments(parser) -> None:
    parser.add_argument("--zones", type=int, default=10, help="development zones (default 10)")
    parser.add_argument("--users-per-zone", type=int, default=3)


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    """Create province → cities → development zones → parks, departments and users.

    Appends the development zones (not the parks) to ``zones`` for the apps that follow.
    """
    source = f"synthetic: zoneops generate --seed {options['seed']}"
    count = options["zones"]
    kinds = [Zone.Kind.HI_TECH_ZONE, Zone.Kind.ECON_DEV_ZONE, Zone.Kind.BONDED_ZONE]
    province = Zone.objects.create(code="S", name="合成省", kind=Zone.Kind.PROVINCE, source=source)
    cities = []
    for c in range((count + ZONES_PER_CITY - 1) // ZONES_PER_CITY):
        cities.append(
            Zone.objects.create(
                code=f"S-C{c:03d}",
                name=f"合成市{c + 1}",
                kind=Zone.Kind.CITY,
                parent=province,
                source=source,
            )
        )
    password = make_password(None)  # unusable: synthetic users never log in with a password
    users = []
    for i in range(count):
        city = cities[i // ZONES_PER_CITY]
        zone = Zone.objects.create(
            code=f"S-Z{i:04d}",
            name=f"合成开发区{i + 1}",
            kind=rng.choice(kinds),
            parent=city,
            source=source,
        )
        for p in range(PARKS_PER_ZONE):
            Zone.objects.create(
                code=f"S-Z{i:04d}-P{p}",
                name=f"{zone.name}产业园{p + 1}",
                kind=Zone.Kind.INDUSTRIAL_PARK,
                parent=zone,
                source=source,
            )
        for name in ("经济发展局", "投资促进局", "应急管理局"):
            Department.objects.create(zone=zone, name=name, source=source)
        zones.append(zone)
        roles = [Role.STAFF, Role.LIAISON, Role.LEADER]
        for u in range(options["users_per_zone"]):
            users.append(
                (User(username=f"s{i:04d}u{u}", password=password, role=roles[u % 3]), zone)
            )
    User.objects.bulk_create([user for user, _zone in users], batch_size=1000)
    grants = User.zones.through
    by_name = dict(
        User.objects.filter(username__in=[u.username for u, _ in users]).values_list(
            "username", "pk"
        )
    )
    grants.objects.bulk_create(
        [grants(user_id=by_name[user.username], zone_id=zone.pk) for user, zone in users],
        batch_size=2000,
    )
    return f"{count} zones in {len(cities)} cities, {len(users)} users"


# Shared by the apps' generators (appeals, hazards …) -------------------------------------------

BATCH = 5000


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert plain rows with the bulk writer and return their new ids, in order.

    Benchmark data only: ids are given here (after the highest), so that they are known
    without reading them back; ``created_at``/``updated_at`` get now.
    """
    if not rows:
        return []
    start = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    ids = list(range(start, start + len(rows)))
    bulk.insert(
        model,
        ["id", *rows[0]],
        [(pk, *row.values()) for pk, row in zip(ids, rows, strict=True)],
    )
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
    return ids


class Dates:
    """Working-day arithmetic memoised per (start, days): the calendar is slow per call."""

    def __init__(self):
        self._add: dict[tuple[dt.date, int], dt.date] = {}
        self._between: dict[tuple[dt.date, dt.date], int] = {}
        self._levels: dict[tuple[str, dt.date, dt.date], int] = {}

    def add(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        if key not in self._add:
            self._add[key] = calendar.add_working_days(start, days)
        return self._add[key]

    def level(self, workflow, due: dt.date, today: dt.date) -> int:
        """The escalation level ``zoneops tick`` would have given on ``today``."""
        key = (workflow.kind, due, today)
        if key not in self._levels:
            self._levels[key] = loop.escalation_level(workflow, due, today)
        return self._levels[key]

    def between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._between:
            self._between[key] = calendar.working_days_between(start, end)
        return self._between[key]


def spread_days(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))
