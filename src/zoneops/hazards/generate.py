"""Deterministic synthetic hazards for benchmarks (``zoneops generate --hazards N``).

Like the other apps' benchmark data: ``bulk_create`` in batches, not in the audit trail,
``source`` says synthetic.
"""

import datetime as dt
import random

from zoneops.core.models import LoopCase, Zone
from zoneops.core.ops.generate import BATCH, Dates, insert_rows, spread_days
from zoneops.hazards import workflow
from zoneops.hazards.models import Category, Hazard

OPEN_STATES = ["found", "assigned", "rectifying", "rectifying", "rectified"]


def add_arguments(parser) -> None:
    parser.add_argument("--hazards", type=int, default=0, help="hazards in all (default 0)")


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    count = options.get("hazards") or 0
    if not zones or count <= 0:
        return "no hazards"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    return f"{create_hazards(zones, count, rng=rng, source=source)} hazards"


def create_hazards(
    zones: list[Zone],
    count: int,
    *,
    rng: random.Random,
    source: str,
    first: dt.date = dt.date(2025, 1, 2),
    last: dt.date = dt.date(2026, 11, 20),
    closed_share: float = 0.8,
) -> int:
    dates = Dates()
    made = 0
    categories = Category.values
    base = Hazard.objects.count()
    while made < count:
        size = min(BATCH, count - made)
        cases, hazards = [], []
        for i in range(size):
            serial = base + made + i
            zone = zones[serial % len(zones)]
            major = rng.random() < 0.05
            limit = workflow.default_limit(major)
            found = spread_days(rng, first, last)
            closed = found < last - dt.timedelta(days=30) and rng.random() < closed_share
            state = "closed" if closed else rng.choice(OPEN_STATES)
            due = dates.add(found, limit)
            flow = workflow.MAJOR_HAZARD if major else workflow.HAZARD
            title = f"合成隐患{serial:07d}"
            cases.append(
                {
                    "kind": workflow.MAJOR if major else workflow.GENERAL,
                    "zone": zone.pk,
                    "title": title,
                    "state": state,
                    "department": None,
                    "handler": None,
                    "opened_on": found,
                    "limit_working_days": limit,
                    "due_date": due,
                    "paused_on": None,
                    "closed_at": None,
                    "is_open": not closed,
                    # as if ``zoneops tick`` had run on the last day of the data
                    "escalation": 0
                    if closed or state in flow.waiting_states
                    else dates.level(flow, due, last),
                    "source": source,
                }
            )
            hazards.append(
                {
                    "zone": zone.pk,
                    "enterprise": None,
                    "place": f"{zone.name}某处",
                    "title": title,
                    "category": rng.choice(categories),
                    "level": "major" if major else "general",
                    "description": "合成隐患描述。",
                    "remedy": "",
                    "found_by": None,
                    "found_on": found,
                    "deadline": due,
                    "inspection": None,
                    "rectified_on": due if closed else None,
                    "verified_by": None,
                    "verified_on": due if closed else None,
                    "rework_count": 0,
                    "source": source,
                }
            )
        for hazard, case_id in zip(hazards, insert_rows(LoopCase, cases), strict=True):
            hazard["case"] = case_id
        insert_rows(Hazard, hazards)
        made += size
    return made
