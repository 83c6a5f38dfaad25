"""Synthetic campaigns and task books for ``zoneops generate`` (benchmarks).

Per generated development zone: one sprint campaign with goals and ``--tasks-per-zone`` tasks
in the closed loop, deadlines spread around today so that lights of every colour occur.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.models import Department, Zone
from zoneops.tasks import services
from zoneops.tasks.models import Campaign, Goal

VERBS = ["推进", "落实", "完成", "协调", "督办"]
THINGS = [
    "重点项目开工",
    "规上企业帮扶",
    "招商签约落地",
    "安全隐患整改",
    "要素保障问题",
    "平台验收",
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--tasks-per-zone", type=int, default=20, help="tasks per development zone (default 20)"
    )


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    per_zone = options.get("tasks_per_zone") or 0
    if not zones or per_zone <= 0:
        return "no tasks"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    today = timezone.localdate()
    tasks = 0
    for zone in zones:
        campaign = Campaign.objects.create(
            zone=zone,
            name=f"{zone.name}冲刺行动",
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=30),
            source=source,
        )
        goal = Goal.objects.create(
            campaign=campaign, name="重点任务完成数", target_value=Decimal(per_zone), source=source
        )
        units = list(Department.objects.filter(zone=zone))
        for i in range(per_zone):
            opened = today - dt.timedelta(days=rng.randint(5, 40))
            deadline = opened + dt.timedelta(days=rng.randint(7, 70))
            services.create_task(
                zone=zone,
                title=f"{rng.choice(VERBS)}{rng.choice(THINGS)}（{i + 1}）",
                deadline=deadline,
                acting_user=None,
                campaign=campaign,
                goal=goal,
                lead_unit=rng.choice(units) if units else None,
                source=source,
                opened_on=opened,
            )
            tasks += 1
    return f"{len(zones)} campaigns, {tasks} tasks"
