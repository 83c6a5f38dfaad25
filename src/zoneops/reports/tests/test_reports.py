import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from zoneops.core.loop import services as core_services
from zoneops.core.models import LoopCase
from zoneops.jobs.models import Job
from zoneops.jobs.testing import run_worker
from zoneops.reports import services
from zoneops.reports.models import DispatchPack

D = dt.date
SHANGHAI_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def late_cases(zone_tree, users):
    """Two cases of 高新区 overdue at the end of October 2025, one of 经开区, one on time."""
    made = {}
    for name, zone, opened in [
        ("用电增容", zone_tree["park"], D(2025, 9, 1)),
        ("土地指标", zone_tree["hitech"], D(2025, 9, 15)),
        ("经开区诉求", zone_tree["econ"], D(2025, 9, 1)),
        ("按时诉求", zone_tree["hitech"], D(2025, 10, 27)),
    ]:
        made[name] = core_services.open_case(
            kind="standard", zone=zone, title=name, acting_user=users["staff"], opened_on=opened
        )
    core_services.tick(on=D(2025, 10, 31))
    return made


def texts(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_pack_lists_the_zones_overdue_items_in_docx_and_xlsx(late_cases, zone_tree, users):
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    document = Document(io.BytesIO(services.render_docx(pack)))
    body = texts(document)
    assert "长春高新区 调度通报(2025-10)" in [p.text for p in document.paragraphs]
    assert "、逾期事项(要素保障、企业诉求、安全隐患、任务)" in body
    assert "用电增容" in body and "土地指标" in body
    assert "经开区诉求" not in body and "按时诉求" not in body
    assert "2 项闭环事项已超过办理时限。" in body
    workbook = load_workbook(io.BytesIO(services.render_xlsx(pack)))
    values = [
        c
        for sheet in workbook.worksheets
        for r in sheet.iter_rows(values_only=True)
        for c in r
        if c
    ]
    assert "用电增容" in values and "经开区诉求" not in values


def test_working_days_late_are_counted_over_the_holiday(late_cases, zone_tree, users):
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    (section,) = [s for s in services.sections_of(pack) if s.key == "core.overdue"]
    late = {row[0]: row for row in section.table.rows}
    assert late["用电增容"][5] == LoopCase.objects.get(title="用电增容").due_date.isoformat()
    # due 2025-09-15 (10 working days after Sep 1); to Oct 31: Sep 16–30 = 12 (incl. Sun Sep 28),
    # Oct 9–31 = 18 (incl. Sat Oct 11; Oct 1–8 off) → 30
    assert late["用电增容"][6] == 30


def test_second_pack_says_what_changed(late_cases, zone_tree, users):
    first = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    LoopCase.objects.filter(title="土地指标").update(is_open=False)
    second = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=11, acting_user=users["staff"]
    )
    changes = next(s for s in services.sections_of(second) if s.key == "reports.changes")
    assert [
        "逾期事项(要素保障、企业诉求、安全隐患、任务)",
        "土地指标",
        "不再列入",
        "",
    ] in changes.table.rows
    assert first.pk != second.pk


def test_report_command_writes_both_files(late_cases, zone_tree, tmp_path):
    call_command("report", zone="GX", period="2025-10", output=str(tmp_path))
    assert (tmp_path / "dispatch-GX-2025-10.docx").exists()
    assert (tmp_path / "dispatch-GX-2025-10.xlsx").exists()
    assert DispatchPack.objects.count() == 1


# Overdue is read as of today: today is the day the fixture's tick ran.
@time_machine.travel(dt.datetime(2025, 10, 31, 10, tzinfo=SHANGHAI_TZ), tick=False)
def test_dashboard_and_pack_pages_are_scoped(
    late_cases, client_for, users, zone_tree, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # the job's folder
    client = client_for(users["staff"])
    response = client.get("/dashboard/", {"period": "2025-10"})
    assert response.status_code == 200
    panel = next(p for p in response.context["panels"] if p.key == "core.loop")
    assert panel.value == 2  # 高新区's two late cases, not 经开区's
    response = client.post(
        "/dashboard/packs/make/", {"zone": zone_tree["hitech"].pk, "period": "2025-10"}
    )
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()  # made by a background job
    run_worker()
    pack = DispatchPack.objects.get()
    assert client.get(f"/dashboard/packs/{pack.pk}/docx/").status_code == 200
    other = client_for(users["other_staff"])
    assert other.get(f"/dashboard/packs/{pack.pk}/").status_code == 404
    assert other.get(f"/dashboard/packs/{pack.pk}/docx/").status_code == 404
    # another zone cannot be chosen for a pack
    response = other.post(
        "/dashboard/packs/make/", {"zone": zone_tree["hitech"].pk, "period": "2025-10"}
    )
    assert response.status_code == 400 and DispatchPack.objects.count() == 1


def test_bad_period_is_a_clear_error(client_for, users):
    response = client_for(users["staff"]).get("/dashboard/", {"period": "2025-13"})
    assert response.status_code == 200
    errors = response.context["form"].errors["period"]
    assert errors and "YYYY-MM" in errors[0]


@pytest.mark.office
def test_docx_renders_to_pdf_with_libreoffice(late_cases, zone_tree, users, tmp_path):
    import shutil
    import subprocess

    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    source = tmp_path / "pack.docx"
    source.write_bytes(services.render_docx(pack))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office, "LibreOffice is installed by scripts/install-office"
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = (tmp_path / "pack.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_a_meeting_decision_becomes_a_task_in_one_step(client_for, users, zone_tree):
    from zoneops.core.models import Department
    from zoneops.tasks.models import Task

    unit = Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    client = client_for(users["staff"])
    response = client.post(
        f"/dashboard/packs/{pack.pk}/decision/",
        {
            "decision": "协调供电公司两周内完成用电增容\n由经发局牵头",
            "deadline": deadline,
            "lead_unit": unit.pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.title == "协调供电公司两周内完成用电增容"
    assert (task.zone, task.lead_unit, task.meeting) == (zone_tree["hitech"], unit, pack.title)
    assert task.case.is_open
    page = client.get(pack.get_absolute_url()).content.decode()
    assert "协调供电公司两周内完成用电增容" in page
    # an empty decision is refused and writes nothing
    client.post(f"/dashboard/packs/{pack.pk}/decision/", {"decision": "", "deadline": deadline})
    assert Task.objects.count() == 1


def test_long_tables_are_cut_to_the_most_pressing_rows(zone_tree, users, monkeypatch):
    for index in range(5):
        core_services.open_case(
            kind="standard",
            zone=zone_tree["park"],
            title=f"诉求{index}",
            acting_user=users["staff"],
            opened_on=D(2025, 9, 1 + index),
        )
    core_services.tick(on=D(2025, 10, 31))
    monkeypatch.setattr(services, "MAX_TABLE_ROWS", 3)
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    section = next(s for s in services.sections_of(pack) if s.key == "core.overdue")
    assert [row[0] for row in section.table.rows] == ["诉求0", "诉求1", "诉求2"]
    assert "表中列出前 3 行,共 5 行" in section.paragraphs[-1]


def test_xlsx_pack_is_typed_as_a_spreadsheet_reader_expects(late_cases, zone_tree, users):
    """Dates are dates with a date format, numbers are numbers, the header stays in view."""
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    workbook = load_workbook(io.BytesIO(services.render_xlsx(pack)))
    headings = [f"{p.text}" for p in Document(io.BytesIO(services.render_docx(pack))).paragraphs]
    for sheet in workbook.worksheets:
        # one sheet per section, named as its .docx heading (cut to Excel's 31 characters)
        assert any(h.startswith(sheet.title) for h in headings), sheet.title
    sheet = next(s for s in workbook.worksheets if "逾期事项" in s.title)
    rows = list(sheet.iter_rows())
    header_index = next(i for i, r in enumerate(rows) if r[0].value == "事项")
    assert sheet.freeze_panes == f"A{header_index + 2}"
    assert sheet.auto_filter.ref.startswith(f"A{header_index + 1}:")
    row = next(r for r in rows if r[0].value == "用电增容")
    due, late = row[5], row[6]
    assert isinstance(due.value, dt.datetime) and due.number_format == "yyyy-mm-dd"
    assert due.value.date() == LoopCase.objects.get(title="用电增容").due_date
    assert late.value == 30 and late.data_type == "n" and late.number_format == "#,##0"
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGH"]
    assert all(w and w >= 6 for w in widths)
