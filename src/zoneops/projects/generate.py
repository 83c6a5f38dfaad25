"""Deterministic synthetic key projects for benchmarks (``zoneops generate``).

Written with ``bulk_create`` in batches and, like the other apps' synthetic data, not put in
the audit trail; every record's ``source`` says it is synthetic.
"""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.models import Zone
from zoneops.core.zones.geo import synthetic_point
from zoneops.projects import services
from zoneops.projects.models import (
    AnnualPlan,
    Milestone,
    MonthlyInvestment,
    Project,
    Tag,
    tags_to_text,
)

BATCH = 2000
CHAINS = ["汽车及零部件", "生物医药", "光电信息", "新材料", "先进装备制造", "氢能"]
LEADERS = ["王副主任", "李副主任", "赵副主任", "刘副主任"]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--projects", type=int, default=500, help="key projects in all (default 500)"
    )


def generate(options, *, rng: random.Random, zones: list[Zone], stdout) -> str:
    count = options.get("projects") or 0
    if not zones or count <= 0:
        return "no projects"
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    made = create_projects(zones, count, rng=rng, source=source)
    return f"{made[0]} projects, {made[1]} milestones, {made[2]} monthly figures"


def random_project(
    index: int, zone: Zone, year: int, rng: random.Random, source: str, prefix: str = "S-P"
) -> Project:
    """One synthetic project: about a third lag (late start, slow investment)."""
    total = Decimal(rng.choice([3000, 8000, 20000, 50000, 120000, 300000]))
    plan = (total * Decimal(str(0.2 + rng.random() * 0.4))).quantize(Decimal("100"))
    kind = rng.choice(["new", "new", "continued", "expansion", "renovation"])
    start = dt.date(year, rng.randint(1, 10), rng.randint(1, 28))
    started = kind != "new" or rng.random() < 0.7
    tags = [Tag.SPRING] if start.month <= 4 else []
    if rng.random() < 0.2:
        tags.append(rng.choice([Tag.PROVINCIAL, Tag.MUNICIPAL]))
    project = Project(
        code=f"{prefix}{index:06d}",
        name=f"合成重点项目{index + 1}",
        zone=zone,
        owner_name=f"合成建设单位{index + 1}",
        industry=rng.choice(CHAINS),
        chain=rng.choice(CHAINS),
        type=kind,
        category=rng.choice(["industrial", "industrial", "infrastructure", "social", "platform"]),
        stage=rng.choice(["started", "started", "in_production"]) if started else "planned",
        total_investment=total,
        plan_year=year,
        annual_plan=plan,
        planned_start=start,
        actual_start=start + dt.timedelta(days=rng.randint(0, 30)) if started else None,
        planned_production=start + dt.timedelta(days=rng.randint(200, 500)),
        planned_completion=start + dt.timedelta(days=rng.randint(500, 900)),
        tags=tags_to_text(tags),
        leader_name=rng.choice(LEADERS),
        special_team=f"专班{index % 20 + 1}",
        responsible_unit="经济发展局",
        source=source,
    )
    project.longitude, project.latitude = synthetic_point(zone, index, "project")
    project.apply_automatic_tags()
    return project


def create_projects(
    zones: list[Zone], count: int, *, rng: random.Random, source: str, months: int | None = None
) -> tuple[int, int, int]:
    today = timezone.localdate()
    year = today.year
    months = today.month - 1 if months is None else months
    places = []
    for zone in zones:
        places.append(zone)
        places.extend(zone.children.all())
    projects = [random_project(i, places[i % len(places)], year, rng, source) for i in range(count)]
    Project.objects.bulk_create(projects, batch_size=BATCH)
    AnnualPlan.objects.bulk_create(
        [AnnualPlan(project=p, year=year, planned=p.annual_plan, source=source) for p in projects],
        batch_size=BATCH,
    )
    milestones, monthly = [], []
    for project in projects:
        base = project.planned_start
        for order, name in enumerate(["开工", "主体封顶", "投产"]):
            planned = base + dt.timedelta(days=order * 120)
            done = project.actual_start is not None and planned < today and rng.random() < 0.8
            milestones.append(
                Milestone(
                    project=project,
                    name=name,
                    order=order,
                    planned_date=planned,
                    baseline_date=planned,
                    actual_date=planned if done else None,
                    source=source,
                )
            )
        if project.actual_start is None:
            continue
        pace = 0.5 + rng.random() * 0.6
        for month in range(1, months + 1):
            share = Decimal(str(round(min(pace * month / 12, 1.0), 4)))
            monthly.append(
                MonthlyInvestment(
                    project=project,
                    year=year,
                    month=month,
                    completed_ytd=(project.annual_plan * share).quantize(Decimal("1")),
                    source=source,
                )
            )
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    MonthlyInvestment.objects.bulk_create(monthly, batch_size=BATCH)
    services.refresh_completed([p.pk for p in projects])
    return len(projects), len(milestones), len(monthly)
