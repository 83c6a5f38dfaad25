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
    """``count`` appeals over ``zones`` in turn, a batch at a time: each with its loop case and
    its submission, inserted in that order so the appeal can point at both."""
    draw = _Draw(rng, Dates(), *_people_by_zone(zones), source, first, last, closed_share)
    made = 0
    serial_base = Submission.objects.count()
    while made < count:
        size = min(BATCH, count - made)
        cases, submissions, appeals = [], [], []
        for i in range(size):
            serial = serial_base + made + i
            case, submission, appeal = draw.appeal(serial, zones[serial % len(zones)])
            cases.append(case)
            submissions.append(submission)
            appeals.append(appeal)
        case_ids = insert_rows(LoopCase, cases)
        submission_ids = insert_rows(Submission, submissions)
        for appeal, case_id, submission_id in zip(appeals, case_ids, submission_ids, strict=True):
            appeal["case"], appeal["submission"] = case_id, submission_id
        insert_rows(Appeal, appeals)
        made += size
    return made


def _people_by_zone(zones: list[Zone]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The departments and the granted users of each zone (by id): an assigned appeal goes to
    one of each of its zone."""
    departments: dict[int, list[int]] = {}
    for pk, zone_id in Department.objects.filter(zone__in=zones).values_list("pk", "zone_id"):
        departments.setdefault(zone_id, []).append(pk)
    handlers: dict[int, list[int]] = {}
    for user_id, zone_id in User.zones.through.objects.filter(zone__in=zones).values_list(
        "user_id", "zone_id"
    ):
        handlers.setdefault(zone_id, []).append(user_id)
    return departments, handlers


class _Draw:
    """One appeal's rows drawn from the seeded generator. The draws keep one order (category,
    channel, multi-department, opening day, closed, state, department, handler, answer day,
    rating): the same seed must give the same data, run after run."""

    def __init__(self, rng, dates, departments, handlers, source, first, last, closed_share):
        self.rng, self.dates, self.source = rng, dates, source
        self.departments, self.handlers = departments, handlers
        self.first, self.last, self.closed_share = first, last, closed_share

    def appeal(self, serial: int, zone: Zone) -> tuple[dict, dict, dict]:
        """(loop case, submission, appeal) rows of the appeal numbered ``serial``."""
        rng, dates = self.rng, self.dates
        category = rng.choice(Category.values)
        channel = rng.choice(Channel.values)
        multi = rng.random() < 0.1
        limits = workflow.limits_for(category)
        limit = limits["resolve_multi"] if multi else limits["resolve"]
        opened = spread_days(rng, self.first, self.last)
        closed = opened < self.last - dt.timedelta(days=40) and rng.random() < self.closed_share
        state = "closed" if closed else rng.choice(OPEN_STATES)
        due = dates.add(opened, limit)
        title = f"合成诉求{serial:07d}"
        case = self.case(zone, title, state, closed, opened, limit, due)
        submission = self.submission(serial, zone, channel)
        answered = dates.add(opened, rng.randint(1, limit + 5)) if closed else None
        appeal = {
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
            "rating": rng.choices([5, 4, 3, 2, 1], [50, 30, 10, 6, 4])[0] if closed else None,
            "rating_comment": "",
            "rated_at": None,
            "source": self.source,
        }
        return case, submission, appeal

    def case(self, zone, title, state, closed, opened, limit, due) -> dict:
        """The loop case: assigned (a department and a handler of its zone) once past
        accepted, and escalated as if ``zoneops tick`` had run on the last day of the data."""
        rng, assigned = self.rng, state not in ("submitted", "accepted")
        departments, handlers = self.departments.get(zone.pk), self.handlers.get(zone.pk)
        return {
            "kind": workflow.KIND,
            "zone": zone.pk,
            "title": title,
            "state": state,
            "department": rng.choice(departments) if assigned and departments else None,
            "handler": rng.choice(handlers) if assigned and handlers else None,
            "opened_on": opened,
            "limit_working_days": limit,
            "due_date": due,
            "paused_on": None,
            "closed_at": None,
            "is_open": not closed,
            "escalation": 0
            if closed or state in workflow.APPEAL.waiting_states
            else self.dates.level(workflow.APPEAL, due, self.last),
            "source": self.source,
        }

    def submission(self, serial: int, zone: Zone, channel: str) -> dict:
        return {
            "tracking_number": f"SY{serial:010d}",
            "zone": zone.pk,
            "channel": channel,
            "enterprise_name": f"合成企业{serial % 100000:06d}",
            "uscc": "",
            "contact_name": "联系人",
            "contact_phone": f"139{serial % 100000000:08d}",
            "client_key": "",
            "nonce": None,
            "source": self.source,
        }
