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
from zoneops.projects import rollups, services
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


# In the database (PostgreSQL, ``zoneops generate`` at province scale) ---------------------------

BULK_MODELS = (Project, AnnualPlan, Milestone, MonthlyInvestment)
CHUNK = 100_000
TOTALS = [3000, 8000, 20000, 50000, 120000, 300000]
KINDS = ["new", "new", "continued", "expansion", "renovation"]
CATEGORIES = ["industrial", "industrial", "infrastructure", "social", "platform"]


def expected_rows(options) -> int:
    return (options.get("projects") or 0) * (5 + max(0, timezone.localdate().month - 1))


def generate_in_database(options, *, loader, zones: list[Zone]) -> str:
    """The rows ``create_projects`` makes, made by PostgreSQL: projects (about a third lagging),
    their annual plan, three milestones each and the months of investment of the started ones,
    with ``completed_ytd``/``completed_month`` as ``refresh_completed`` sets them.

    Every statement draws the same values for project ``n`` (``_draws_sql``), so the tables are
    filled one after the other, a chunk of projects per statement, and still agree."""
    from zoneops.projects.models import AUTOMATIC_TAGS

    count = options.get("projects") or 0
    if not zones or count <= 0:
        return "no projects"
    assert set(AUTOMATIC_TAGS) == {Tag.OVER_50M, Tag.OVER_1B}
    source = f"synthetic: zoneops generate --seed {options.get('seed', 1)}"
    today = timezone.localdate()
    months = today.month - 1
    places = []
    for zone in zones:
        places.append(zone)
        places.extend(zone.children.all())
    params = _parameters(loader, places, source, today)
    base = _draws_sql(loader, len(places))
    chunks = list(loader.chunks(count, max(1000, min(CHUNK, -(-count // 8)))))

    def statements(sql: str) -> list[tuple[str, dict]]:
        return [(sql, {**params, "lo": lo, "hi": hi}) for lo, hi in chunks]

    made = loader.parallel("projects", statements(_projects_sql(loader, base)))
    made_plans = loader.parallel("projects: annual plans", statements(_plans_sql(base)))
    made_milestones = loader.parallel(
        "projects: milestones", statements(_milestones_sql(loader, base))
    )
    made_monthly = 0
    if months > 0:
        made_monthly = loader.parallel(
            "projects: monthly investment", statements(_monthly_sql(base))
        )
    for model in BULK_MODELS:
        loader.reset_sequence(model)
    return (
        f"{made} projects ({made_plans} annual plans), {made_milestones} milestones, "
        f"{made_monthly} monthly figures"
    )


def _parameters(loader, places: list[Zone], source: str, today: dt.date) -> dict:
    """What every statement is given: the year and months so far, the places (zones and their
    parks) with their centres, and the first id of each table (ids are given, gaps allowed, so
    that the statements run at once)."""
    from zoneops.core.zones.geo import synthetic_centre

    centres = [synthetic_centre(place) for place in places]
    return {
        "source": source,
        "project": loader.next_id(Project),
        "year": today.year,
        "totals": TOTALS,
        "places": [place.pk for place in places],
        "lon": [lon for lon, _lat in centres],
        "lat": [lat for _lon, lat in centres],
        "today": today,
        "months": today.month - 1,
        "plan": loader.next_id(AnnualPlan),
        "milestone": loader.next_id(Milestone),
        "investment": loader.next_id(MonthlyInvestment),
    }


def _draws_sql(loader, place_count: int) -> str:
    """One row of draws per project ``n`` of the chunk, the same in every statement: its id,
    total investment, kind, planned start, annual plan, whether started, place and pace."""
    u, i = loader.u, loader.i
    pi = f"(1 + mod(n, {place_count}))"
    return f"""
        SELECT n, %(project)s + n AS id, k.*, d.*, {pi} AS pi,
            0.5 + {u("n", 20)} * 0.6 AS pace
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) n
        CROSS JOIN LATERAL (
            SELECT (%(totals)s::int[])[1 + floor({u("n", 1)} * 6)::int] AS total,
                {loader.pick("n", 3, KINDS)} AS kind,
                make_date(%(year)s, {i("n", 4, 1, 10)}, {i("n", 5, 1, 28)}) AS start) k
        CROSS JOIN LATERAL (
            SELECT round(k.total * (0.2 + {u("n", 2)} * 0.4)) AS plan,
                k.kind <> 'new' OR {u("n", 6)} < 0.7 AS started) d
        OFFSET 0
    """


def _completed(month: str) -> str:
    """The investment completed by ``month`` of the year (as ``refresh_completed`` counts it)."""
    return f"round(b.plan * round(least(b.pace * {month} / 12, 1.0)::numeric, 4))"


def _projects_sql(loader, base: str) -> str:
    """The projects with their drawn fields, their tags in order (the automatic ones from the
    total) and the investment completed by the last month."""
    from zoneops.projects.models import ONE_BILLION_WAN, TEN_MILLION_WAN

    u, i = loader.u, loader.i
    return f"""
        INSERT INTO projects_project (id, created_at, updated_at, source, code, name,
            owner_name, industry, chain, type, category, stage, total_investment,
            plan_year, annual_plan, completed_ytd, completed_month, planned_start,
            actual_start, planned_production, actual_production, planned_completion,
            actual_completion, tags, leader_name, special_team, responsible_unit,
            baselined_at, enterprise_id, leader_id, zone_id, latitude, longitude)
        SELECT b.id, now(), now(), %(source)s,
            'S-P' || lpad(b.n::text, 6, '0'), '合成重点项目' || (b.n + 1),
            '合成建设单位' || (b.n + 1), {loader.pick("b.n", 7, CHAINS)},
            {loader.pick("b.n", 8, CHAINS)}, b.kind,
            {loader.pick("b.n", 9, CATEGORIES)},
            CASE WHEN b.started THEN
                {loader.pick("b.n", 10, ["started", "started", "in_production"])}
                ELSE 'planned' END,
            b.total, %(year)s, b.plan,
            CASE WHEN b.started AND %(months)s > 0
                 THEN {_completed("%(months)s")} ELSE 0 END,
            CASE WHEN b.started AND %(months)s > 0 THEN %(months)s END,
            b.start, CASE WHEN b.started THEN b.start + {i("b.n", 11, 0, 30)} END,
            b.start + {i("b.n", 12, 200, 500)}, NULL,
            b.start + {i("b.n", 13, 500, 900)}, NULL,
            -- tags in their order: spring, ≥50 million, ≥1 billion, provincial, municipal
            COALESCE(',' || NULLIF(concat_ws(',',
                CASE WHEN extract(month FROM b.start) <= 4 THEN 'spring' END,
                CASE WHEN b.total >= {TEN_MILLION_WAN} THEN 'over_50m' END,
                CASE WHEN b.total >= {ONE_BILLION_WAN} THEN 'over_1b' END,
                CASE WHEN {u("b.n", 14)} < 0.2 AND {u("b.n", 15)} < 0.5
                     THEN 'provincial' END,
                CASE WHEN {u("b.n", 14)} < 0.2 AND {u("b.n", 15)} >= 0.5
                     THEN 'municipal' END), '') || ',', ''),
            {loader.pick("b.n", 16, LEADERS)}, '专班' || (mod(b.n, 20) + 1),
            '经济发展局', NULL, NULL, NULL, (%(places)s::bigint[])[b.pi],
            round(((%(lat)s::float8[])[b.pi] + ({u("b.n", 18)} - 0.5) * 0.11)::numeric, 6),
            round(((%(lon)s::float8[])[b.pi] + ({u("b.n", 17)} - 0.5) * 0.16)::numeric, 6)
        FROM ({base}) b
        """


def _plans_sql(base: str) -> str:
    """Each project's annual plan for the year."""
    return f"""
        INSERT INTO projects_annualplan (id, created_at, updated_at, source, year,
            planned, baseline, project_id)
        SELECT %(plan)s + b.n, now(), now(), %(source)s, %(year)s, b.plan, NULL, b.id
        FROM ({base}) b
        """


def _milestones_sql(loader, base: str) -> str:
    """Three milestones 120 days apart; four in five of those due by today are done, if the
    project started."""
    u = loader.u
    return f"""
        INSERT INTO projects_milestone (id, created_at, updated_at, source, name,
            planned_date, baseline_date, actual_date, "order", project_id)
        SELECT %(milestone)s + b.n * 3 + o, now(), now(), %(source)s,
            (ARRAY['开工', '主体封顶', '投产'])[o + 1],
            b.start + o * 120, b.start + o * 120,
            CASE WHEN b.started AND b.start + o * 120 < %(today)s::date
                      AND {u("b.n", "21 + o")} < 0.8 THEN b.start + o * 120 END,
            o, b.id
        FROM ({base}) b CROSS JOIN generate_series(0, 2) o
        """


def _monthly_sql(base: str) -> str:
    """The started projects' year-to-date investment for each month so far."""
    return f"""
        INSERT INTO projects_monthlyinvestment (id, created_at, updated_at, source,
            year, month, completed_ytd, project_id)
        SELECT %(investment)s + b.n * %(months)s + m - 1, now(), now(), %(source)s,
            %(year)s, m, {_completed("m")}, b.id
        FROM ({base}) b CROSS JOIN generate_series(1, %(months)s) m
        WHERE b.started
        """


def after_generate(stdout) -> None:
    """Keep the lights of today and of the last month's end, as ``zoneops tick`` does each
    night: the first dashboard after a load then reads them."""
    stdout.write(rollups.tick())
