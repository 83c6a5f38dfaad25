"""Key projects: import of a 5,000-project dispatch sheet with 12 monthly updates, and the
server time of a zone's board and lagging list over those 5,000 projects.

    projects.import_5000x12: N s   (dispatch sheet + 12 monthly update files, all-or-nothing)
    projects.board_5000: N ms
    projects.lagging_5000: N ms

``BENCH_PROJECTS_PARTS=import`` measures the import only (default ``import,pages``).
"""

import datetime as dt
import io
import os
import random
import time

from openpyxl import Workbook
from timing import scaled, server_ms

PROJECTS = scaled(5000, 100)
MONTHS = 12
DISPATCH_HEADERS = [
    "项目编号", "项目名称", "所属园区", "建设单位", "产业链", "建设性质", "项目类别", "建设阶段",
    "总投资(万元)", "计划年度", "年度计划投资(万元)", "计划开工", "实际开工", "计划投产",
    "计划竣工", "标签", "包保领导", "工作专班", "责任单位",
]  # fmt: skip
MONTHLY_HEADERS = ["项目编号", "年度", "月份", "本年累计完成投资(万元)"]
PARTS = os.environ.get("BENCH_PROJECTS_PARTS", "import,pages").split(",")


def xlsx(headers, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


def dispatch_rows(zones, year, rng):
    types = ["新建", "新建", "续建", "扩能", "技改"]
    chains = ["汽车及零部件", "电力电子", "医药健康", "光电信息", "新材料", "氢能"]
    for index in range(PROJECTS):
        start = dt.date(year, rng.randint(1, 10), rng.randint(1, 28))
        started = rng.random() < 0.7
        total = rng.choice([3000, 8000, 20000, 50000, 120000, 300000])
        yield [
            f"BP-{index:05d}",
            f"基准测试项目{index + 1}",
            zones[index % len(zones)],
            f"建设单位{index + 1}",
            rng.choice(chains),
            rng.choice(types),
            "产业项目",
            "开工" if started else "前期",
            total,
            year,
            int(total * (0.2 + rng.random() * 0.4)),
            start.isoformat(),
            (start + dt.timedelta(days=rng.randint(0, 20))).isoformat() if started else "",
            (start + dt.timedelta(days=300)).isoformat(),
            (start + dt.timedelta(days=700)).isoformat(),
            "春季开复工" if start.month <= 4 else "",
            f"包保领导{index % 12}",
            f"专班{index % 30}",
            "经济发展局",
        ]


def monthly_rows(year, month, paces, plans):
    for index in range(PROJECTS):
        value = int(plans[index] * min(paces[index] * month / 12, 1.0))
        yield [f"BP-{index:05d}", year, month, value]


def run(ctx):
    from django.test import Client

    from zoneops.core.access.context import acting_as
    from zoneops.core.loop import services as core_services
    from zoneops.core.models import Role, User, Zone
    from zoneops.projects.imports import DispatchSheetImporter, MonthlyImporter
    from zoneops.projects.models import Blocker, Milestone, Project

    rng = random.Random(5000)
    root = Zone.objects.create(code="BP", name="基准测试高新区", kind=Zone.Kind.HI_TECH_ZONE)
    parks = [
        Zone.objects.create(
            code=f"BP-{i}", name=f"基准测试园区{i}", kind=Zone.Kind.INDUSTRIAL_PARK, parent=root
        )
        for i in range(4)
    ]
    staff = User.objects.create_user(username="bench_projects", role=Role.STAFF)
    staff.zones.set([root])
    today = dt.date.today()
    year = today.year
    dispatch = xlsx(DISPATCH_HEADERS, dispatch_rows([p.name for p in parks], year, rng))
    plans = []
    for row in dispatch_rows([p.name for p in parks], year, random.Random(5000)):
        plans.append(row[10])
    paces = [0.4 + rng.random() * 0.7 for _ in range(PROJECTS)]
    updates = [
        xlsx(MONTHLY_HEADERS, monthly_rows(year, month, paces, plans))
        for month in range(1, MONTHS + 1)
    ]

    def import_all():
        with acting_as(staff):
            result = DispatchSheetImporter(staff).run("调度表.xlsx", dispatch)
            assert result.ok and result.created == PROJECTS, result.errors[:5]
            for month, content in enumerate(updates, start=1):
                result = MonthlyImporter(staff).run(f"{month}月.xlsx", content)
                assert result.ok and result.created == PROJECTS, result.errors[:5]

    started = time.perf_counter()
    import_all()
    yield "projects.import_5000x12", time.perf_counter() - started, "s"
    if "pages" not in PARTS:
        return

    # Milestones and a few open blockers, so that every light rule has rows to look at.
    projects = list(Project.objects.filter(zone__in=parks).only("pk", "planned_start", "zone"))
    Milestone.objects.bulk_create(
        [
            Milestone(
                project=p,
                name=name,
                order=order,
                planned_date=p.planned_start + dt.timedelta(days=120 * order),
            )
            for p in projects
            for order, name in enumerate(["开工", "主体封顶", "投产"])
        ],
        batch_size=2000,
    )
    with acting_as(staff):
        for project in projects[:: len(projects) // 50]:
            case = core_services.open_case(
                kind="blocker",
                zone=project.zone,
                title="基准测试问题",
                acting_user=staff,
                opened_on=today - dt.timedelta(days=40),
            )
            Blocker.objects.create(project=project, case=case, kind="land", description="用地")

    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    yield "projects.board_5000", server_ms(client, "/projects/board/", within=root.pk), "ms"
    yield "projects.lagging_5000", server_ms(client, "/projects/lagging/", within=root.pk), "ms"
