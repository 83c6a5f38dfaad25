"""Deterministic synthetic appeals for benchmarks (``zoneops generate --appeals N``).

Written with ``bulk_create`` in batches and, like the other apps' benchmark data, not put in
the audit trail; every record's ``source`` says it is synthetic. A share of the appeals is
closed; the open ones are spread over the loop's states and over two years of due dates, so
that ``zoneops tick`` has every escalation level to compute.
"""

import datetime as dt
import random

from zoneops.appeals import workflow
from zoneops.appeals.models import Appeal, Category, Channel, Submission
from zoneops.core.models import Department, LoopCase, User, Zone
from zoneops.core.ops.generate import BATCH, Dates, insert_rows, spread_days  # noqa: F401

OPEN_STATES = ["submitted", "accepted", "assigned", "in_progress", "in_progress", "replied"]


def add_arguments(parser) -> None:
    parser.add_argument("--appeals", type=int, default=0, help="appeals in all (default 0)")


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
