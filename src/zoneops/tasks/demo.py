"""Demo campaigns and task books from the seed articles.

长春高新区 (seed 000): the "大干60天冲刺四季度" sprint after the third-quarter figures, with its
task book (任务书), roadmap (路线图) and progress reported at the weekly dispatch (定期调度).
长春新区 (seed 001): the "十大工程" of 2024 and the "515" innovation goals (50 platforms, 100
results, 50 academician projects) and the investment "三个五".
Dates, goals and task titles come from the articles; the units, milestones, progress reports and
closures are synthetic and say so.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from zoneops.core.loop import rollups as loop_rollups
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, LoopCase, User, Zone
from zoneops.core.ops.demo import S000, S001, S003
from zoneops.core.registries import rollups
from zoneops.indicators.models import Indicator
from zoneops.tasks import services
from zoneops.tasks.models import Campaign, Goal, Task
from zoneops.tasks.workflow import KIND

D = dt.date
SYNTHETIC = "演示数据（虚构）"

SPRINT = {
    "name": "大干60天冲刺四季度",
    "kind": Campaign.Kind.SPRINT,
    "starts_on": D(2025, 11, 10),
    "ends_on": D(2026, 1, 8),
    "description": "前三季度经济运行数据公布后，向全年经济社会发展目标发起总攻："
    "保存量、促增量、扩总量，全力稳住经济基本盘。",
}
# goal name, indicator code or None, target, unit
SPRINT_GOALS = [
    ("规上工业总产值完成全年目标", "industrial_output_above_scale", None, "万元"),
    ("固定资产投资完成全年目标", "fixed_asset_investment", None, "万元"),
    ("规上工业企业包保走访全覆盖", None, Decimal(120), "户"),
]
# title, lead unit, responsible unit, supervising unit, deadline, goal index, milestones,
# progress reports [(cycle, day, %, text, problems)], closed on (None: open)
SPRINT_TASKS = [
    (
        "一企一策精准帮扶规上工业企业，扭转工业增长乏力局面",
        "经济发展局",
        "投资促进局",
        "营商环境建设局",
        D(2025, 12, 31),
        0,
        [("包保干部完成规上工业企业摸排", D(2025, 11, 21)), ("帮扶措施落实到企", D(2025, 12, 19))],
        [
            ("2025-W47", D(2025, 11, 21), 35, "走访规上工业企业42户，梳理问题31项", ""),
            (
                "2025-W48",
                D(2025, 11, 28),
                55,
                "走访累计78户，解决用工、融资问题12项",
                "个别企业订单不足",
            ),
        ],
        None,
    ),
    (
        "直奔项目工地现场办公，推动在建项目加快形成投资量",
        "投资促进局",
        "经济发展局",
        "营商环境建设局",
        D(2025, 12, 26),
        1,
        [("梳理在建项目要素保障问题清单", D(2025, 11, 17))],
        [("2025-W47", D(2025, 11, 21), 40, "现场办公6次，协调解决问题9项", "冬季施工组织难度大")],
        None,
    ),
    (
        "长白山实验室完成验收，吉林大学团队入驻准备",
        "科技创新局",
        "",
        "营商环境建设局",
        D(2025, 12, 31),
        None,
        [("完成验收资料", D(2025, 11, 28)), ("首批团队入驻", D(2025, 12, 26))],
        [("2025-W48", D(2025, 11, 28), 60, "验收资料已报送", "")],
        None,
    ),
    (
        "融入“新区消费季”，联动商超餐饮创新消费场景",
        "经济发展局",
        "",
        "营商环境建设局",
        D(2025, 12, 31),
        None,
        [],
        [],
        D(2025, 12, 30),
    ),
    (
        "对接企业“十五五”发展愿景，谋划“十五五”规划",
        "经济发展局",
        "科技创新局",
        "",
        D(2026, 1, 8),
        None,
        [],
        [],
        None,
    ),
    (
        "守牢安全生产底线，开展冬季安全隐患排查",
        "应急管理局",
        "",
        "营商环境建设局",
        D(2025, 12, 19),
        None,
        [],
        [("2025-W47", D(2025, 11, 21), 50, "排查企业35户，整改隐患18处", "")],
        D(2025, 12, 18),
    ),
]

TEN_PROJECTS = {
    "name": "十大工程",
    "kind": Campaign.Kind.PROGRAMME,
    "starts_on": D(2024, 1, 1),
    "ends_on": D(2024, 12, 31),
    "description": "实施“2+5+10”总策略，以双城建设为引擎、把握五个原则、实施十大工程。",
}
TEN_GOALS = [
    ("高能级平台（“515”创新裂变目标）", Decimal(50), "个"),
    ("标志性成果（“515”创新裂变目标）", Decimal(100), "项"),
    ("院士型项目（“515”创新裂变目标）", Decimal(50), "个"),
    ("入规入统项目（招商“三个五”）", Decimal(50), "个"),
    ("高科技人才产业项目（招商“三个五”）", Decimal(50), "个"),
    ("落位开工十亿元以上项目（招商“三个五”）", Decimal(50), "个"),
]
TEN_TASKS = [
    "实施经济实力跃升工程",
    "实施项目建设攻坚工程",
    "实施招商引资突破工程",
    "实施科技创新领跑工程",
    "实施发展格局优化工程",
    "实施对外合作引领工程",
    "实施发展环境提档升级工程",
    "实施城市品质提质工程",
    "实施安全稳定巩固工程",
    "实施党建聚力引领工程",
]


def _campaign(zone, data, source) -> tuple[Campaign, bool]:
    return Campaign.objects.get_or_create(
        zone=zone, name=data["name"], defaults={**data, "source": source}
    )


def _department(zone, name):
    return Department.objects.filter(zone=zone, name=name).first() if name else None


def _sprint(zone) -> int:
    from zoneops.indicators import selectors

    campaign, created = _campaign(zone, SPRINT, S000)
    if not created:
        return 0
    actor = User.objects.filter(username="gx_staff").first()
    progress = {p.indicator.code: p for p in selectors.progress(zone, 2025, 9)}
    goals = []
    for order, (name, code, target, unit) in enumerate(SPRINT_GOALS):
        indicator = Indicator.objects.get(code=code) if code else None
        if code and code in progress:
            target = progress[code].target
        goals.append(
            Goal.objects.create(
                campaign=campaign,
                name=name,
                measure=Goal.Measure.INDICATOR if indicator else Goal.Measure.COUNT,
                indicator=indicator,
                target_value=target,
                unit=unit,
                achieved=Decimal(78) if indicator is None else Decimal(0),
                sort_order=order,
                source=f"{S000}；目标与完成值：{SYNTHETIC}",
            )
        )
    for row in SPRINT_TASKS:
        title, lead, responsible, supervising, deadline, goal_index, steps, reports, closed = row
        task = services.create_task(
            zone=zone,
            title=title,
            deadline=deadline,
            acting_user=None,
            campaign=campaign,
            goal=goals[goal_index] if goal_index is not None else None,
            lead_unit=_department(zone, lead),
            responsible_unit=_department(zone, responsible),
            supervising_unit=_department(zone, supervising),
            milestones=steps,
            source=f"{S000}（制定攻坚任务书、绘制推进路线图）；责任单位与路线图：{SYNTHETIC}",
            opened_on=SPRINT["starts_on"],
        )
        for cycle, day, percent, text, problems in reports:
            services.report_progress(
                task,
                acting_user=None,
                cycle=cycle,
                progress=percent,
                text=text,
                problems=problems,
                reported_on=day,
                source=SYNTHETIC,
            )
        if closed is not None:
            _close(task, closed, actor)
    return 1 + len(SPRINT_TASKS)


def _close(task, day, actor) -> None:
    """Move a task through its loop to 销号, dated ``day``, by the zone's demo staff account."""
    if actor is None:
        return
    for name, comment in (
        ("start", ""),
        ("submit", "演示数据：任务完成，申请销号"),
        ("close", "演示数据：审核通过，予以销号"),
    ):
        services.transition_task(task, name, acting_user=actor, comment=comment, on=day)


def _ten_projects(zone) -> int:
    campaign, created = _campaign(zone, TEN_PROJECTS, S001)
    if not created:
        return 0
    for order, (name, target, unit) in enumerate(TEN_GOALS):
        Goal.objects.create(
            campaign=campaign,
            name=name,
            measure=Goal.Measure.COUNT,
            target_value=target,
            unit=unit,
            sort_order=order,
            source=S001,
        )
    for title in TEN_TASKS:
        services.create_task(
            zone=zone,
            title=title,
            deadline=D(2024, 12, 31),
            acting_user=None,
            campaign=campaign,
            source=S001,
            opened_on=D(2024, 1, 2),
        )
    return 1 + len(TEN_TASKS)


# 吉林高新区 (seed 003, 2023-04-21): 实施“六大”振兴行动,全力打造主导产业新优势.
SIX_ACTIONS = {
    "name": "“六大”振兴行动",
    "kind": Campaign.Kind.ACTION,
    "starts_on": D(2023, 4, 21),
    "ends_on": D(2023, 12, 31),
    "description": "实施“六大”振兴行动，全力打造主导产业新优势。",
}
# title, lead unit, (progress reports: cycle, day, %, text), closed on
SIX_TASKS = [
    (
        "实施汽车产业振兴行动",
        "经济发展局",
        [("2023-W26", D(2023, 6, 30), 60, "汽车产业园规划完成，轻微型卡车制造基地合作推进")],
        None,
    ),
    (
        "实施电子信息产业振兴行动",
        "科技创新局",
        [("2023-W39", D(2023, 9, 29), 100, "8英寸功率器件芯片项目按计划推进")],
        D(2023, 10, 20),
    ),
    (
        "实施医药健康、食品产业振兴行动",
        "投资促进局",
        [("2023-W30", D(2023, 7, 28), 40, "医药智能装备制造、植物胶囊项目办理开工手续")],
        None,
    ),
    (
        "实施智能装备制造产业振兴行动",
        "科技创新局",
        [("2023-W35", D(2023, 9, 1), 100, "氢能研究院落地高新北区")],
        D(2023, 11, 15),
    ),
    ("实施氢能源产业振兴行动", "经济发展局", [], None),
    (
        "实施产业建圈强链行动",
        "经济发展局",
        [("2023-W40", D(2023, 10, 6), 30, "梳理重点产业链短板清单")],
        None,
    ),
]

# 长春新区 (seed 001): 实施“2+5+10”总策略,以双城建设为引擎、把握五个原则、实施十大工程.
STRATEGY = {
    "name": "“2+5+10”总策略",
    "kind": Campaign.Kind.PROGRAMME,
    "starts_on": D(2024, 1, 1),
    "ends_on": D(2024, 12, 31),
    "description": "以双城建设为引擎、把握五个原则、实施十大工程（见“十大工程”攻坚行动）。",
}
STRATEGY_TASKS = [
    ("全力铸造北湖未来科学城“双城”动力引擎", 45),
    ("全力铸造永春现代生物医药城“双城”动力引擎", 35),
    ("把握五个原则，全面实施“十大工程”", 20),
]


def _six_actions(zone) -> int:
    campaign, created = _campaign(zone, SIX_ACTIONS, S003)
    if not created:
        return 0
    actor = User.objects.filter(username="jl_staff").first()
    for title, lead, reports, closed in SIX_TASKS:
        task = services.create_task(
            zone=zone,
            title=title,
            deadline=SIX_ACTIONS["ends_on"],
            acting_user=None,
            campaign=campaign,
            lead_unit=_department(zone, lead),
            source=f"{S003}；牵头单位与进度：{SYNTHETIC}",
            opened_on=SIX_ACTIONS["starts_on"],
        )
        for cycle, day, percent, text in reports:
            services.report_progress(
                task,
                acting_user=None,
                cycle=cycle,
                progress=percent,
                text=text,
                problems="",
                reported_on=day,
                source=SYNTHETIC,
            )
        if closed is not None:
            _close(task, closed, actor)
    return 1 + len(SIX_TASKS)


def _strategy(zone) -> int:
    campaign, created = _campaign(zone, STRATEGY, S001)
    if not created:
        return 0
    for title, percent in STRATEGY_TASKS:
        task = services.create_task(
            zone=zone,
            title=title,
            deadline=STRATEGY["ends_on"],
            acting_user=None,
            campaign=campaign,
            source=f"{S001}；进度：{SYNTHETIC}",
            opened_on=D(2024, 1, 2),
        )
        services.report_progress(
            task,
            acting_user=None,
            cycle="2024-W26",
            progress=percent,
            text="演示数据：上半年推进情况",
            problems="",
            reported_on=D(2024, 6, 28),
            source=SYNTHETIC,
        )
    return 1 + len(STRATEGY_TASKS)


def refresh_lights(today: dt.date | None = None) -> int:
    """Bring the demo tasks' lights up to date (``zoneops tick`` does it for every case)."""
    workflow = loop.get_workflow(KIND)
    today = today or dt.date.today()
    changed = 0
    for case in LoopCase.objects.filter(kind=KIND, is_open=True, paused_on__isnull=True):
        level = loop.escalation_level(workflow, case.due_date, today)
        if level != case.escalation:
            changed += LoopCase.objects.filter(pk=case.pk).update(escalation=level)
    rollups.touch(loop_rollups.KIND)  # the levels were updated past the model's signals
    return changed


@transaction.atomic
def seed() -> str:
    created = 0
    gx = Zone.objects.filter(code="CCGX").first()
    if gx is not None:
        created += _sprint(gx)
    xq = Zone.objects.filter(code="CCXQ").first()
    if xq is not None:
        created += _ten_projects(xq)
        created += _strategy(xq)
    jl = Zone.objects.filter(code="JLGX").first()
    if jl is not None:
        created += _six_actions(jl)
    refresh_lights()
    return f"{created} campaigns and tasks; {Task.objects.count()} tasks in all"
