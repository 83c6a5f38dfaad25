"""Demo key projects reproducing the seed articles' figures; details are synthetic.

吉林高新区 2024 (seed 002): 40 projects, about 225亿 in all, 35亿 planned for the year, 23 new
and 17 continued, 14 of them spring starts with 59亿. 长春高新区 2025 (seed 000): 108 projects,
634亿, 58 new and 50 continued. Names the articles give are used; every other name, amount,
date, milestone and monthly figure is synthetic and its ``source`` says so.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from zoneops.core.audit import bulk as audit_bulk
from zoneops.core.models import Zone
from zoneops.core.ops.demo import S000, S002, S003
from zoneops.projects import services
from zoneops.projects.models import (
    AnnualPlan,
    Milestone,
    MonthlyInvestment,
    Project,
    Tag,
    tags_to_text,
)

SYNTHETIC = "演示数据（虚构）：细节为演示编造"

# (name, type, chain, seed) named in the articles
JLGX_NAMED = [
    ("国药国控创服大健康产业基地", "new", "医药健康", S002),
    ("中科曙光数据中心", "new", "电子信息", S002),
    ("吉航电子科技研发及维修中心", "new", "装备制造", S002),
    ("荃吉康植物基谷", "new", "医药健康", S002),
    ("中科星图商业遥感通讯卫星地面接收站", "new", "空天信息", S002),
    ("中科院科技成果转化", "continued", "科技服务", S002),
    ("宏泽环保处理撬装设备", "continued", "装备制造", S002),
    ("8英寸功率器件芯片", "continued", "电力电子", S003),
    ("15亿只先进功率器件半导体封装基地", "continued", "电力电子", S003),
    ("均泰东方医药智能装备制造", "continued", "医药健康", S003),
    ("华润雪花啤酒年产45万吨提质扩能", "continued", "食品", S003),
    ("氢能装备试验检测中心", "continued", "氢能", S003),
    ("万丰二期", "continued", "汽车及零部件", S003),
]
CCGX_NAMED = [
    ("吉林大学未来科学国际合作联合实验室", "new", "科技创新平台", S000, "platform"),
    ("长白山实验室", "continued", "科技创新平台", S000, "platform"),
]
CHAINS = ["汽车及零部件", "电力电子", "装备制造", "医药健康", "光电信息", "新材料", "氢能"]
LEADERS = ["王副主任", "李副主任", "赵副主任", "刘副主任", "孙副主任"]


def split(total: int, count: int, rng: random.Random, low: float = 0.3) -> list[int]:
    """``count`` positive whole numbers (万元, multiples of 100) that add up to ``total``."""
    weights = [low + rng.random() for _ in range(count)]
    scale = total / sum(weights)
    parts = [int(w * scale) // 100 * 100 for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def seed() -> str:
    if not Zone.objects.filter(code__in=["JLGX", "CCGX"]).exists():
        return "no demo zones"
    from zoneops.core.ops.demo import place_demo_points

    created = seed_jlgx() + seed_ccgx()
    place_demo_points(Project)
    rolled = roll_forward()
    return f"{created} projects created; {rolled}"


DEMO_CODES = ("JLGX-2024-", "CCGX-2025-")
# The share of live projects whose pace lags (yellow, then red): the rest keep up with 序时进度.
YELLOW_SHARE, RED_SHARE = 0.12, 0.05


def _pace(code: str) -> float:
    """A project's investment pace (share of the annual plan per twelfth of the year), the same
    every year and every day: most keep up, some lag, a few lag far."""
    draw = random.Random(f"pace-{code}").random()
    if draw < RED_SHARE:
        return 0.35 + draw
    if draw < RED_SHARE + YELLOW_SHARE:
        return 0.68 + draw / 2
    return 1.08 + (draw - RED_SHARE - YELLOW_SHARE) * 0.3


def _monthly_value(plan: Decimal, pace: float, month: int) -> Decimal:
    return (plan * Decimal(str(min(pace * month / 12, 1.15)))).quantize(Decimal("1"))


@transaction.atomic
def roll_forward(today: dt.date | None = None) -> str:
    """Bring the demo projects to ``today`` (idempotent: run again, nothing changes; run on a
    later day, the new months and years are added). Every live project gets a plan for each
    year since its own up to this one, the monthly 本年累计 of every finished month (the last
    year complete, this year to last month) at its own pace, and its past milestones done
    except the designated late ones. ``zoneops seed_demo`` calls it."""
    from django.utils import timezone

    today = today or timezone.localdate()
    last_month = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    projects = list(
        Project.objects.filter(code__regex=r"^(JLGX-2024-|CCGX-2025-)")
        .exclude(stage="completed")
        .order_by("code")
    )
    have = set(
        MonthlyInvestment.objects.filter(project__in=projects).values_list(
            "project_id", "year", "month"
        )
    )
    plans = {
        (p, y): v
        for p, y, v in AnnualPlan.objects.filter(project__in=projects).values_list(
            "project_id", "year", "planned"
        )
    }
    new_rows, new_plans = [], 0
    for project in projects:
        first_year = int(project.code.split("-")[1])
        pace = _pace(project.code)
        for year in range(first_year, today.year + 1):
            planned = plans.get((project.pk, year))
            if planned is None:
                rng = random.Random(f"plan-{project.code}-{year}")
                share = Decimal(str(round(0.15 + rng.random() * 0.2, 3)))
                planned = (project.total_investment * share).quantize(Decimal("100"))
                services.set_annual_plan(project, year, planned, acting_user=None)
                new_plans += 1
            elif project.plan_year < year:
                services.set_annual_plan(project, year, planned, acting_user=None)
            if project.actual_start is None:
                continue
            for month in range(1, 13):
                if (year, month) > (last_month.year, last_month.month):
                    break
                if (project.pk, year, month) in have:
                    continue
                new_rows.append(
                    MonthlyInvestment(
                        project=project,
                        year=year,
                        month=month,
                        completed_ytd=_monthly_value(planned, pace, month),
                        source=SYNTHETIC,
                    )
                )
    MonthlyInvestment.objects.bulk_create(new_rows, batch_size=1000)
    audit_bulk.log_bulk_create(new_rows)
    # Past milestones of started projects are done, except the late ones the demo keeps
    # (主体封顶 of one project in eleven, and of a third of the re-planned ones).
    done = 0
    for milestone in Milestone.objects.filter(
        project__in=[p for p in projects if p.actual_start is not None],
        actual_date__isnull=True,
        planned_date__lt=today,
    ).select_related("project"):
        moved = milestone.baseline_date != milestone.planned_date
        late = milestone.order == 2 and (
            milestone.project.pk % 11 == 0 or (moved and milestone.project.pk % 3 == 0)
        )
        if late:
            continue
        milestone.actual_date = milestone.planned_date + dt.timedelta(days=milestone.pk % 7)
        milestone.save(update_fields=["actual_date", "updated_at"])
        done += 1
    services.refresh_completed([p.pk for p in projects])
    return (
        f"rolled forward to {today}: {new_plans} plans, {len(new_rows)} monthly figures, "
        f"{done} milestones done"
    )


@transaction.atomic
def seed_jlgx() -> int:
    zones = {z.code: z for z in Zone.objects.filter(code__in=["JLGX", "JLGX-S", "JLGX-N"])}
    if Project.objects.filter(code__startswith="JLGX-2024-").exists():
        return 0
    rng = random.Random(2024)
    spring_totals = split(590000, 14, rng)
    other_totals = split(2250000 - 590000, 26, rng)
    plans = split(350000, 40, rng)
    types = ["new"] * 23 + ["continued"] * 17
    names = {i: named for i, named in enumerate(n for n in JLGX_NAMED if n[1] == "new")}
    continued = [n for n in JLGX_NAMED if n[1] == "continued"]
    rows = []
    for index in range(40):
        kind = types[index]
        if kind == "new" and index in names:
            name, _t, chain, article = names[index]
        elif kind == "continued" and index - 23 < len(continued):
            name, _t, chain, article = continued[index - 23]
        else:
            name, chain, article = (
                f"吉林高新区2024年重点项目{index + 1:02d}",
                rng.choice(CHAINS),
                "",
            )
        rows.append((index, kind, name, chain, article))
    # Spring starts: 8 new and 6 continued projects (synthetic split of the article's 14).
    spring = {i for i in range(8)} | {23 + i for i in range(6)}
    spring_iter, other_iter = iter(spring_totals), iter(other_totals)
    projects = []
    for index, kind, name, chain, article in rows:
        total = next(spring_iter) if index in spring else next(other_iter)
        plan = min(plans[index], total)
        projects.append(
            make(
                code=f"JLGX-2024-{index + 1:03d}",
                name=name,
                zone=zones["JLGX-N"] if index % 3 == 0 else zones["JLGX-S"],
                kind=kind,
                chain=chain,
                total=total,
                plan=plan,
                year=2024,
                spring=index in spring,
                rng=rng,
                source=f"{S002}（数量与总额）；{article + '（名称）；' if article else ''}"
                f"{SYNTHETIC}",
                lagging=index in (20, 21, 22),
            )
        )
    # The per-project plans are synthetic but must add up to the article's 35亿 exactly.
    difference = 350000 - sum(int(p.annual_plan) for p in projects)
    if difference:
        last = projects[-1]
        services.set_annual_plan(last, 2024, last.annual_plan + difference, acting_user=None)
    add_details(projects, rng, year=2024)
    add_blockers(projects)
    return len(projects)


def add_blockers(projects) -> None:
    """Synthetic blockers: one closed, one with the responsible leader, one overdue."""
    from zoneops.core.loop import services as core_services
    from zoneops.core.models import Department, User

    # Transitions need someone signed in: the demo's staff account of 吉林高新区, if there.
    actor = User.objects.filter(username="jl_staff").first()
    plans = [
        (projects[20], "land", "用地指标未落实,土地尚未摘牌", dt.date(2024, 4, 8), "close"),
        (projects[21], "power", "电力增容方案待供电公司批复", dt.date(2024, 5, 13), "escalate"),
        (projects[22], "construction_permit", "施工许可证待办理", dt.date(2024, 6, 3), None),
    ]
    for project, kind, text, opened_on, outcome in plans:
        blocker = services.raise_blocker(
            project,
            kind=kind,
            description=text,
            acting_user=None,
            opened_on=opened_on,
            source=SYNTHETIC,
        )
        department = Department.objects.filter(zone__code="JLGX", name="经济发展局").first()
        if outcome is None or actor is None or department is None:
            continue
        steps = [("assign", ""), ("start", "")]
        if outcome == "close":
            steps += [("resolve", "已协调完成土地摘牌"), ("close", "")]
        else:
            steps.append(("escalate", "需包保领导协调供电公司"))
        case = blocker.case
        for name, comment in steps:
            case = core_services.do_transition(
                case,
                name,
                acting_user=actor,
                comment=comment,
                department=department,
                handler=actor,
                on=opened_on,
            ).case


@transaction.atomic
def seed_ccgx() -> int:
    zone = Zone.objects.filter(code="CCGX").first()
    if zone is None or Project.objects.filter(code__startswith="CCGX-2025-").exists():
        return 0
    rng = random.Random(2025)
    totals = split(6340000, 108, rng)
    plans = [int(t * (0.15 + rng.random() * 0.2)) // 100 * 100 for t in totals]
    projects = []
    for index in range(108):
        kind = "new" if index < 58 else "continued"
        named = [n for n in CCGX_NAMED if n[1] == kind]
        slot = index if kind == "new" else index - 58
        if slot < len(named):
            name, _t, chain, article, category = named[slot]
        else:
            name, chain, article, category = (
                f"长春高新区2025年重点项目{index + 1:03d}",
                rng.choice(["生物医药", "先进装备制造", "光电信息", "人工智能"]),
                "",
                "industrial",
            )
        projects.append(
            make(
                code=f"CCGX-2025-{index + 1:03d}",
                name=name,
                zone=zone,
                kind=kind,
                chain=chain,
                total=totals[index],
                plan=plans[index],
                year=2025,
                spring=False,
                rng=rng,
                category=category,
                source=f"{S000}（数量与总额）；{article + '（名称）；' if article else ''}"
                f"{SYNTHETIC}",
                lagging=index % 17 == 5,
            )
        )
    add_details(projects, rng, year=2025)
    return len(projects)


def make(
    *,
    code,
    name,
    zone,
    kind,
    chain,
    total,
    plan,
    year,
    spring,
    rng,
    source,
    lagging,
    category="industrial",
) -> Project:
    start = dt.date(year, 3 if spring else rng.choice([4, 5, 6, 7]), rng.randint(1, 28))
    if kind == "continued":
        actual_start = dt.date(year - 1, rng.randint(3, 10), rng.randint(1, 28))
        stage = rng.choice(["started", "started", "in_production"])
    elif lagging:
        actual_start, stage = None, "preparing"
    else:
        actual_start, stage = start + dt.timedelta(days=rng.randint(-5, 20)), "started"
    tags = [Tag.SPRING] if spring else []
    if rng.random() < 0.25:
        tags.append(Tag.PROVINCIAL)
    project = Project.objects.create(
        code=code,
        name=name,
        zone=zone,
        owner_name=f"{name[:8]}有限公司",
        industry=chain,
        chain=chain,
        type=kind,
        category=category,
        stage=stage,
        total_investment=Decimal(total),
        plan_year=year,
        annual_plan=Decimal(plan),
        planned_start=start,
        actual_start=actual_start,
        planned_production=dt.date(year + 1, rng.randint(1, 12), 15),
        planned_completion=dt.date(year + 2, rng.randint(1, 12), 15),
        tags=tags_to_text(tags),
        leader_name=rng.choice(LEADERS),
        special_team=f"{chain}专班",
        responsible_unit="经济发展局",
        source=source,
    )
    services.set_annual_plan(project, year, project.annual_plan, acting_user=None)
    return project


def add_details(projects, rng: random.Random, *, year: int) -> None:
    """Milestones (with a baseline and a re-plan for some); the monthly 本年累计 figures come
    from ``roll_forward`` (every finished month up to today)."""
    milestones = []
    for project in projects:
        names = ["土地摘牌", "开工", "主体封顶", "设备安装", "投产"]
        base = project.planned_start or dt.date(year, 4, 1)
        for order, name in enumerate(names):
            planned = base + dt.timedelta(days=(order - 1) * 75)
            actual = planned + dt.timedelta(days=rng.randint(-3, 10))
            # Past nodes of started projects are done, except one late node in eleven.
            late = order == 2 and project.pk % 11 == 0
            done = project.actual_start is not None and planned < dt.date.today() and not late
            milestones.append(
                Milestone(
                    project=project,
                    name=name,
                    order=order,
                    planned_date=planned,
                    baseline_date=planned,
                    actual_date=actual if done else None,
                    source=SYNTHETIC,
                )
            )
    Milestone.objects.bulk_create(milestones, batch_size=1000)
    audit_bulk.log_bulk_create(milestones)
    for project in projects[::4]:
        project.baselined_at = project.created_at
        project.save(update_fields=["baselined_at"])
    # A re-plan moved some nodes after the baseline was set.
    moved = Milestone.objects.filter(project__in=projects[::7], name="主体封顶")
    for milestone in moved:
        milestone.planned_date += dt.timedelta(days=30)
        milestone.actual_date = None
        milestone.save(update_fields=["planned_date", "actual_date", "updated_at"])
    services.refresh_completed([p.pk for p in projects])
