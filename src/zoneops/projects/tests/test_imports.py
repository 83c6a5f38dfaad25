import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zoneops.core.models import ObjectChange
from zoneops.projects.imports import DispatchSheetImporter, MonthlyImporter
from zoneops.projects.models import AnnualPlan, MonthlyInvestment, Project
from zoneops.projects.tests.factories import make_project

HEADERS = [
    "项目编号",
    "项目名称",
    "所属园区",
    "建设单位",
    "产业链",
    "建设性质",
    "项目类别",
    "建设阶段",
    "总投资(万元)",
    "计划年度",
    "年度计划投资(万元)",
    "计划开工",
    "实际开工",
    "标签",
    "包保领导",
    "工作专班",
    "责任单位",
]


def xlsx(headers, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()


def row(code, zone="光电产业园", **over):
    values = {
        "项目编号": code,
        "项目名称": f"项目{code}",
        "所属园区": zone,
        "建设单位": "某某公司",
        "产业链": "光电信息",
        "建设性质": "新建",
        "项目类别": "产业项目",
        "建设阶段": "开工",
        "总投资(万元)": 120000,
        "计划年度": 2025,
        "年度计划投资(万元)": "20,000",
        "计划开工": "2025/3/15",
        "实际开工": "2025-04-01",
        "标签": "春季开复工、省重点",
        "包保领导": "张副主任",
        "工作专班": "光电专班",
        "责任单位": "经济发展局",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


@pytest.mark.django_db
def test_dispatch_sheet_creates_projects_with_plans(users, zone_tree):
    content = xlsx(HEADERS, [row("GX-001"), row("GX-002", zone="GX", 建设性质="续建")])
    result = DispatchSheetImporter(users["staff"]).run("调度表.xlsx", content)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    project = Project.objects.get(code="GX-001")
    assert project.zone == zone_tree["park"]
    assert project.type == "new" and project.category == "industrial"
    assert project.stage == "started"
    assert project.annual_plan == Decimal("20000")
    assert str(project.planned_start) == "2025-03-15"
    assert project.tag_list == ["spring", "over_50m", "over_1b", "provincial"]
    assert project.source == "import: 调度表.xlsx"
    assert Project.objects.get(code="GX-002").type == "continued"
    assert AnnualPlan.objects.get(project=project, year=2025).planned == Decimal("20000")
    assert ObjectChange.objects.filter(object_repr__startswith="GX-001", action="create").exists()


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_lists_every_problem(users, zone_tree):
    content = xlsx(
        HEADERS,
        [
            row("GX-001"),
            row("GX-002", 建设性质="新开工"),
            row("GX-003", zone="长春经开区"),  # not granted
            row("GX-004", **{"总投资(万元)": "很多"}),
            row("GX-001"),
            row("GX-005", **{"年度计划投资(万元)": 200000}),
        ],
    )
    result = DispatchSheetImporter(users["staff"]).run("bad.xlsx", content)
    assert not result.ok
    assert {(e.row, e.field) for e in result.errors} == {
        (3, "项目类型"),
        (4, "区域"),
        (5, "总投资(万元)"),
        (6, "项目编号"),
        (7, "年度计划投资(万元)"),
    }
    assert not Project.objects.exists()
    assert not AnnualPlan.objects.exists()


@pytest.mark.django_db
def test_reimport_updates_and_audits_changes(users, zone_tree):
    DispatchSheetImporter(users["staff"]).run("a.xlsx", xlsx(HEADERS, [row("GX-001")]))
    result = DispatchSheetImporter(users["staff"]).run(
        "b.xlsx", xlsx(HEADERS, [row("GX-001", 建设阶段="投产", **{"年度计划投资(万元)": 25000})])
    )
    assert (result.created, result.updated) == (0, 1)
    project = Project.objects.get(code="GX-001")
    assert project.stage == "in_production"
    assert project.annual_plans.get(year=2025).planned == Decimal("25000")
    change = ObjectChange.objects.filter(
        object_id=project.pk, action="update", content_type__model="project"
    ).latest("id")
    assert change.changes["stage"] == {"before": "started", "after": "in_production"}


@pytest.mark.django_db
def test_another_zones_project_code_is_refused(users, zone_tree):
    make_project(zone_tree["econ"], 1, code="JK-001")
    result = DispatchSheetImporter(users["staff"]).run("a.xlsx", xlsx(HEADERS, [row("JK-001")]))
    assert [e.reason for e in result.errors] == ["该项目编号属于您无权修改的项目。"]
    assert Project.objects.get(code="JK-001").zone == zone_tree["econ"]


@pytest.mark.django_db
def test_missing_required_column_is_a_file_error(users, zone_tree):
    from zoneops.core.files.imports import ImportFileError

    with pytest.raises(ImportFileError, match="总投资"):
        DispatchSheetImporter(users["staff"]).run(
            "a.xlsx",
            xlsx(["项目编号", "项目名称", "所属园区", "建设性质", "计划年度", "年度计划投资"], []),
        )


MONTHLY = ["项目编号", "年度", "月份", "本年累计完成投资(万元)"]


@pytest.mark.django_db
def test_monthly_update_sets_year_to_date_figures(users, zone_tree):
    first = make_project(zone_tree["park"], 1)
    second = make_project(zone_tree["park"], 2)
    importer = MonthlyImporter(users["staff"])
    result = importer.run("3月.xlsx", xlsx(MONTHLY, [["P-1", 2025, 3, 300], ["P-2", 2025, 3, 0]]))
    assert result.ok and result.created == 2
    result = importer.run("4月.xlsx", xlsx(MONTHLY, [["P-1", 2025, 4, "450.5"]]))
    assert result.ok
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.completed_ytd, first.completed_month) == (Decimal("450.50"), 4)
    assert (second.completed_ytd, second.completed_month) == (Decimal("0"), 3)
    assert MonthlyInvestment.objects.count() == 3


@pytest.mark.django_db
def test_monthly_update_refuses_falling_totals_and_unknown_projects(users, zone_tree):
    make_project(zone_tree["park"], 1)
    make_project(zone_tree["econ"], 2)
    importer = MonthlyImporter(users["staff"])
    assert importer.run("3.xlsx", xlsx(MONTHLY, [["P-1", 2025, 3, 300]])).ok
    result = importer.run(
        "4.xlsx",
        xlsx(MONTHLY, [["P-1", 2025, 4, 299], ["P-2", 2025, 4, 10], ["P-1", 2025, 13, 1]]),
    )
    assert {(e.row, e.field) for e in result.errors} == {
        (2, "本年累计完成投资(万元)"),
        (3, "项目编号"),
        (4, "月份"),
    }
    assert MonthlyInvestment.objects.count() == 1


@pytest.mark.django_db
def test_import_pages(client_for, users, zone_tree):
    client = client_for(users["staff"])
    upload = SimpleUploadedFile("调度表.xlsx", xlsx(HEADERS, [row("GX-009")]))
    response = client.post(reverse("projects:project_import"), {"file": upload})
    assert response.status_code == 302
    upload = SimpleUploadedFile("m.xlsx", xlsx(MONTHLY, [["GX-009", 2025, 2, 10]]))
    response = client.post(reverse("projects:monthly_import"), {"file": upload})
    assert response.status_code == 302
    assert Project.objects.get(code="GX-009").completed_ytd == Decimal("10")
    bad = SimpleUploadedFile("m.xlsx", xlsx(MONTHLY, [["GX-009", 2025, 3, 1]]))
    response = client.post(reverse("projects:monthly_import"), {"file": bad})
    assert response.status_code == 422
    assert client_for(users["leader"]).get(reverse("projects:monthly_import")).status_code == 403


@pytest.mark.django_db
def test_bulk_written_rows_have_the_usual_audit_rows(users, zone_tree):
    from django.contrib.contenttypes.models import ContentType

    from zoneops.core.access.context import acting_as
    from zoneops.core.audit import trail as audit

    make_project(zone_tree["park"], 1)
    with acting_as(users["staff"]):
        MonthlyImporter(users["staff"]).run("3月.xlsx", xlsx(MONTHLY, [["P-1", 2025, 3, "12.5"]]))
        DispatchSheetImporter(users["staff"]).run("d.xlsx", xlsx(HEADERS, [row("GX-001")]))
    for model in (MonthlyInvestment, Project, AnnualPlan):
        obj = model.objects.latest("id")
        change = ObjectChange.objects.get(
            content_type=ContentType.objects.get_for_model(model), object_id=obj.pk
        )
        assert change.action == "create" and change.user_name == "gx_staff"
        assert change.zone_id == zone_tree["park"].pk
        assert change.changes == audit.diff(None, audit.snapshot(obj))
        assert change.object_repr == str(obj)


@pytest.mark.django_db
def test_a_new_plan_year_takes_its_own_monthly_figures(users, zone_tree):
    importer = DispatchSheetImporter(users["staff"])
    importer.run("2025.xlsx", xlsx(HEADERS, [row("GX-001", 计划年度=2025)]))
    monthly = MonthlyImporter(users["staff"])
    assert monthly.run("a.xlsx", xlsx(MONTHLY, [["GX-001", 2025, 2, 100]])).ok
    assert monthly.run("b.xlsx", xlsx(MONTHLY, [["GX-001", 2026, 3, 50]])).ok  # next year's
    importer.run("2026.xlsx", xlsx(HEADERS, [row("GX-001", 计划年度=2026)]))
    project = Project.objects.get(code="GX-001")
    assert (project.completed_ytd, project.completed_month) == (Decimal("50"), 3)
    result = monthly.run("c.xlsx", xlsx(MONTHLY, [["GX-001", 2026, 3, 60]]))
    assert (result.created, result.updated) == (0, 1)
    project.refresh_from_db()
    assert project.completed_ytd == Decimal("60")


@pytest.mark.django_db
def test_repeated_bad_cells_are_each_reported_and_the_collector_runs_again(users, zone_tree):
    import gc

    from django.core.exceptions import PermissionDenied

    bad = [row(f"GX-{i}", 计划开工="2025-02-30", 建设性质="新开工") for i in range(3)]
    result = DispatchSheetImporter(users["staff"]).run("bad.xlsx", xlsx(HEADERS, bad))
    assert sorted((e.row, e.field) for e in result.errors) == [
        (row_number, field) for row_number in (2, 3, 4) for field in ("计划开工日期", "项目类型")
    ]
    assert not Project.objects.exists() and gc.isenabled()
    make_project(zone_tree["park"], 1)
    months = [["P-1", 2025, 13, 1], ["P-1", 2025, 13, 2]]
    result = MonthlyImporter(users["staff"]).run("m.xlsx", xlsx(MONTHLY, months))
    assert [(e.row, e.value) for e in result.errors] == [(2, "13"), (3, "13")] and gc.isenabled()
    with pytest.raises(PermissionDenied):
        MonthlyImporter(users["leader"]).run("m.xlsx", xlsx(MONTHLY, months))
    assert gc.isenabled()


@pytest.mark.parametrize(
    "cells",
    [
        ["P-1", 2025.0, 3.0, 1234.565],
        [" P-1 ", 2025, 12, 20000],
        ["P-1", 2025.0, 1.0, 0.1 + 0.2],
        ["P-1", 2025.0, 1.0, 1e-7],
        ["P-1", 2025.0, 1.0, 99999999999999.98],
        ["P-1", 2025.0, 1.0, 12345.0],
        ["P-1", 2025.0, 1.0, -0.0],
    ],
)
def test_a_monthly_row_of_numbers_parses_as_its_texts_do(cells):
    from zoneops.core.files.imports import plain_cell
    from zoneops.projects.imports import MONTHLY_COLUMNS, typed_monthly_row

    mapping = dict(enumerate(MONTHLY_COLUMNS))
    errors = []
    by_text = MonthlyImporter(None).parse_row(2, mapping, list(map(plain_cell, cells)), errors)
    assert typed_monthly_row(mapping)(cells) == by_text and not errors


@pytest.mark.parametrize(
    "cells",
    [
        ["P-1", 2025.5, 3.0, 1.0],  # not a whole year
        ["P-1", 2025.0, 13.0, 1.0],
        ["P-1", 2025.0, 3.0, -1.0],
        ["P-1", 2025.0, 3.0, 1e14],
        ["P-1", 2025.0, 3.0, "1,234.5"],
        ["P-1", True, 3.0, 1.0],
        [12345.0, 2025.0, 3.0, 1.0],
        ["", 2025.0, 3.0, 1.0],
        ["P-1", 2025.0, 3.0],
    ],
)
def test_other_monthly_rows_go_the_general_way(cells):
    from zoneops.projects.imports import MONTHLY_COLUMNS, typed_monthly_row

    assert typed_monthly_row(dict(enumerate(MONTHLY_COLUMNS)))(cells) is None


@pytest.mark.django_db
def test_monthly_spreadsheet_numbers_and_odd_cells_are_read_as_before(users, zone_tree):
    for index in (1, 2, 3):
        make_project(zone_tree["park"], index)
    importer = MonthlyImporter(users["staff"])
    rows = [["P-1", 2025, 3, 1234.565], ["P-2", "2025年", "3月", "1,000.5"], ["P-3", 2025, 3, 7]]
    assert importer.run("3.xlsx", xlsx(MONTHLY, rows)).ok
    assert sorted(MonthlyInvestment.objects.values_list("project__code", "completed_ytd")) == [
        ("P-1", Decimal("1234.56")),
        ("P-2", Decimal("1000.50")),
        ("P-3", Decimal("7")),
    ]
    result = importer.run(
        "4.xlsx", xlsx(MONTHLY, [["P-1", 2025, 4, -5.5], ["P-2", 2025, 13.0, 2000]])
    )
    assert [(e.row, e.field, e.value) for e in result.errors] == [
        (2, "本年累计完成投资(万元)", "-5.5"),
        (3, "月份", "13"),
    ]
