"""Deterministic synthetic appeals for benchmarks (``zoneops generate --appeals N``).

Written with ``bulk_create`` in batches and, like the other apps' benchmark data, not put in
the audit trail; every record's ``source`` says it is synthetic. A share of the appeals is
closed; the open ones are spread over the loop's states and over two years of due dates, so
that ``zoneops tick`` has every escalation level to compute.
"""

import datetime as dt
import random

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from zoneops.appeals import workflow
from zoneops.appeals.models import Appeal, Category, Channel, Submission
from zoneops.core import calendar, loop
from zoneops.core.models import Department, LoopCase, User, Zone

BATCH = 5000
OPEN_STATES = ["submitted", "accepted", "assigned", "in_progress", "in_progress", "replied"]


def add_arguments(parser) -> None:
    parser.add_argument("--appeals", type=int, default=0, help="appeals in all (default 0)")


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert plain rows with ``executemany`` and return their new ids, in order.

    Benchmark data only: the ORM's per-value preparation costs more than the database's
    work at these sizes. Values must already be what the driver takes (dates, numbers,
    strings, ``None``); ``created_at``/``updated_at`` are filled in here.
    """
    if not rows:
        return []
    meta = model._meta
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    names = ["id", *rows[0]]
    has_stamps = any(f.name == "created_at" for f in meta.concrete_fields)
    if has_stamps:
        names += ["created_at", "updated_at"]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)
    marks = ", ".join(["%s"] * len(names))
    start = (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    ids = list(range(start, start + len(rows)))
    values = [
        (pk, *row.values(), *((now, now) if has_stamps else ()))
        for pk, row in zip(ids, rows, strict=True)
    ]
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
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


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    count = options.get("appeals") or 0
    if not zones or count <= 0:
        return "no appeals"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    return f"{create_appeals(zones, count, rng=rng, source=source)} appeals"


def create_appeals(
    zones: list[Zone],
    count: int,
    *,
    rng: random.Random,
    source: str,
    first: dt.date = dt.date(2025, 1, 2),
    last: dt.date = dt.date(2026, 11, 20),
    closed_share: float = 0.7,
) -> int:
    dates = Dates()
    departments: dict[int, list[int]] = {}
    for pk, zone_id in Department.objects.filter(zone__in=zones).values_list("pk", "zone_id"):
        departments.setdefault(zone_id, []).append(pk)
    handlers: dict[int, list[int]] = {}
    for user_id, zone_id in User.zones.through.objects.filter(zone__in=zones).values_list(
        "user_id", "zone_id"
    ):
        handlers.setdefault(zone_id, []).append(user_id)
    categories, channels = Category.values, Channel.values
    made = 0
    serial_base = Submission.objects.count()
    while made < count:
        size = min(BATCH, count - made)
        cases, submissions, appeals = [], [], []
        for i in range(size):
            serial = serial_base + made + i
            zone = zones[serial % len(zones)]
            category = rng.choice(categories)
            channel = rng.choice(channels)
            multi = rng.random() < 0.1
            limits = workflow.limits_for(category)
            limit = limits["resolve_multi"] if multi else limits["resolve"]
            opened = spread_days(rng, first, last)
            closed = opened < last - dt.timedelta(days=40) and rng.random() < closed_share
            state = "closed" if closed else rng.choice(OPEN_STATES)
            assigned = state not in ("submitted", "accepted")
            due = dates.add(opened, limit)
            title = f"合成诉求{serial:07d}"
            cases.append(
                {
                    "kind": workflow.KIND,
                    "zone": zone.pk,
                    "title": title,
                    "state": state,
                    "department": rng.choice(departments[zone.pk])
                    if assigned and departments.get(zone.pk)
                    else None,
                    "handler": rng.choice(handlers[zone.pk])
                    if assigned and handlers.get(zone.pk)
                    else None,
                    "opened_on": opened,
                    "limit_working_days": limit,
                    "due_date": due,
                    "paused_on": None,
                    "closed_at": None,
                    "is_open": not closed,
                    # as if ``zoneops tick`` had run on the last day of the data
                    "escalation": 0
                    if closed or state in workflow.APPEAL.waiting_states
                    else dates.level(workflow.APPEAL, due, last),
                    "source": source,
                }
            )
            submissions.append(
                {
                    "tracking_number": f"SY{serial:010d}",
                    "zone": zone.pk,
                    "channel": channel,
                    "enterprise_name": f"合成企业{serial % 100000:06d}",
                    "uscc": "",
                    "contact_name": "联系人",
                    "contact_phone": f"139{serial % 100000000:08d}",
                    "client_key": "",
                    "nonce": None,
                    "source": source,
                }
            )
            answered = dates.add(opened, rng.randint(1, limit + 5)) if closed else None
            appeals.append(
                {
                    "zone": zone.pk,
                    "enterprise": None,
                    "visit": None,
                    "title": title,
                    "category": category,
                    "channel": channel,
                    "tags": "",
                    "description": "合成诉求内容。",
                    "multi_department": multi,
                    "accept_due": dates.add(opened, limits["accept"]),
                    "answer_due": dates.add(opened, limits["answer"]),
                    "accepted_on": opened if state != "submitted" else None,
                    "answered_on": answered,
                    "replied_on": answered,
                    "coordination": "",
                    "closed_by": "confirmation" if closed else "",
                    "close_working_days": dates.between(opened, answered) if closed else None,
                    "closed_on_time": (answered <= due) if closed else None,
                    "reopen_count": 0,
                    "rating": rng.choices([5, 4, 3, 2, 1], [50, 30, 10, 6, 4])[0]
                    if closed
                    else None,
                    "rating_comment": "",
                    "rated_at": None,
                    "source": source,
                }
            )
        case_ids = insert_rows(LoopCase, cases)
        submission_ids = insert_rows(Submission, submissions)
        for appeal, case_id, submission_id in zip(appeals, case_ids, submission_ids, strict=True):
            appeal["case"], appeal["submission"] = case_id, submission_id
        insert_rows(Appeal, appeals)
        made += size
    return made
