"""Enterprises: imports in the statistics-office layout, and the pyramid and candidate pages.

    enterprises.import_100k                            100,000 enterprise rows from .xlsx
    enterprises.figures_import_1200k                   12 monthly .xlsx files of 100,000 rows
    enterprises.import_speedup_vs_django_import_export the same 100,000 rows through
                                                       django-import-export's default resource
    enterprises.pyramid_20k / candidates_20k           server time for a zone of 20,000
                                                       enterprises with 36 months of figures

ZONEOPS_BENCH_ENTERPRISES scales the 100,000 (e.g. 10000 for a quick run).
"""

import os
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

ROWS = int(os.environ.get("ZONEOPS_BENCH_ENTERPRISES", "100000"))
PYRAMID_ROWS = int(os.environ.get("ZONEOPS_BENCH_PYRAMID_ENTERPRISES", "20000"))
ENTERPRISE_HEADERS = [
    "统一社会信用代码",
    "单位详细名称",
    "所属园区",
    "详细地址",
    "成立日期",
    "注册资本(万元)",
    "行业代码",
    "经营状态",
    "四上企业",
]
FIGURE_HEADERS = [
    "统一社会信用代码",
    "单位详细名称",
    "年份",
    "月份",
    "营业收入(本年累计,万元)",
    "工业总产值(本年累计,万元)",
    "税金总额(万元)",
    "从业人员期末人数",
    "研究开发费用(万元)",
    "综合能源消费量(吨标准煤)",
]
INDUSTRY_CODES = ["2761", "3670", "3976", "6513", "7320", "5292", "4040", "3581"]


def write_xlsx(path: Path, headers, rows) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def enterprise_rows(codes, zone_code, rng):
    for i, code in enumerate(codes):
        yield [
            code,
            f"基准企业{i:06d}有限公司",
            zone_code,
            f"长春市高新区合成路{i}号",
            f"20{rng.randint(0, 23):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.randint(50, 50000),
            rng.choice(INDUSTRY_CODES),
            "营业",
            "是" if rng.random() < 0.25 else "否",
        ]


def run(ctx):
    import django.db
    from django.test import Client
    from import_export import resources
    from tablib import Dataset
    from timing import server_ms

    from zoneops.core.access.context import acting_as
    from zoneops.core.models import Role, User, Zone
    from zoneops.enterprises import importers
    from zoneops.enterprises.generate import create_enterprises, synthetic_code
    from zoneops.enterprises.models import Enterprise

    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="bench-enterprises-"))
    zone = Zone.objects.create(code="BENCH-ENT", name="基准开发区", kind=Zone.Kind.HI_TECH_ZONE)
    admin = User.objects.create_user(
        username="bench_enterprises", role=Role.ADMIN, is_superuser=True
    )

    # 1. Enterprises ----------------------------------------------------------------------
    codes = [synthetic_code(i, "880000") for i in range(ROWS)]
    path = write_xlsx(
        work / "enterprises.xlsx", ENTERPRISE_HEADERS, enterprise_rows(codes, zone.code, rng)
    )
    content = path.read_bytes()
    with acting_as(admin):
        start = time.perf_counter()
        result = importers.EnterpriseImporter(admin).run(path.name, content)
        ours = time.perf_counter() - start
    assert result.ok and result.created == ROWS, result.errors[:5]
    yield ("enterprises.import_100k", ours, "s")

    # 2. Monthly figures: one file per month, as the statistics office sends them ----------
    names = dict(Enterprise.objects.filter(zone=zone).values_list("uscc", "name"))
    files = []
    for month in range(1, 13):
        rows = (
            [
                code,
                names[code],
                2025,
                month,
                round(rng.uniform(10, 30000), 2),
                round(rng.uniform(10, 30000), 2),
                round(rng.uniform(0, 900), 2),
                rng.randint(5, 900),
                round(rng.uniform(0, 500), 2),
                round(rng.uniform(0, 900), 2),
            ]
            for code in codes
        )
        files.append(write_xlsx(work / f"figures-2025-{month:02d}.xlsx", FIGURE_HEADERS, rows))
    total = 0.0
    created = 0
    with acting_as(admin):
        for figure_file in files:
            data = figure_file.read_bytes()
            start = time.perf_counter()
            result = importers.FigureImporter(admin).run(figure_file.name, data)
            total += time.perf_counter() - start
            assert result.ok, result.errors[:5]
            created += result.created
    assert created == 12 * ROWS
    yield ("enterprises.figures_import_1200k", total, "s")

    # 3. The same enterprise rows through django-import-export's default resource ------------
    zone2 = Zone.objects.create(code="BENCH-DIE", name="基准开发区二", kind=Zone.Kind.HI_TECH_ZONE)
    die_codes = [synthetic_code(i, "770000") for i in range(ROWS)]
    headers = [
        "uscc",
        "name",
        "zone",
        "address",
        "founded_on",
        "registered_capital",
        "industry",
        "status",
        "above_scale",
    ]
    from zoneops.enterprises.industries import code_map

    industry_ids = code_map()
    die_rows = (
        [
            r[0],
            r[1],
            zone2.pk,
            r[3],
            r[4],
            r[5],
            industry_ids[r[6]],
            "operating",
            1 if r[8] == "是" else 0,
        ]
        for r in enterprise_rows(die_codes, zone2.code, rng)
    )
    die_path = write_xlsx(
        work / "enterprises-die.xlsx", ["id", *headers], ([""] + row for row in die_rows)
    )
    resource = resources.modelresource_factory(model=Enterprise)()
    with acting_as(admin):
        start = time.perf_counter()
        dataset = Dataset().load(die_path.read_bytes(), format="xlsx")
        die_result = resource.import_data(dataset, dry_run=False, use_transactions=True)
        theirs = time.perf_counter() - start
    assert not die_result.has_errors() and not die_result.has_validation_errors()
    yield ("enterprises.import_speedup_vs_django_import_export", theirs / ours, "x")
    django.db.reset_queries()

    # 4. Pyramid and candidates of a zone of 20,000 enterprises with 36 months of figures --
    zone3 = Zone.objects.create(code="BENCH-PYR", name="基准高新区", kind=Zone.Kind.HI_TECH_ZONE)
    for p in range(3):
        Zone.objects.create(
            code=f"BENCH-PYR-{p}", name=f"基准园区{p}", kind=Zone.Kind.INDUSTRIAL_PARK, parent=zone3
        )
    with acting_as(None):
        create_enterprises(
            [zone3], PYRAMID_ROWS, 36, rng=rng, source="synthetic: bench", serial_start=500_000
        )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    yield (
        "enterprises.pyramid_20k",
        server_ms(client, "/enterprises/pyramid/", zone=zone3.pk),
        "ms",
    )
    yield (
        "enterprises.candidates_20k",
        server_ms(client, "/enterprises/candidates/", zone=zone3.pk),
        "ms",
    )
