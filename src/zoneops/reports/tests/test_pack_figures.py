"""The pack's figures are the database's: indicators against targets, tasks due."""

import datetime as dt
import io
from decimal import Decimal

from docx import Document
from openpyxl import load_workbook

from zoneops.indicators import selectors
from zoneops.indicators import services as indicator_services
from zoneops.indicators.models import Indicator, Target
from zoneops.reports import services


def test_indicator_rows_in_docx_and_xlsx_match_the_database(zone_tree, users):
    zone = zone_tree["hitech"]
    gdp = Indicator.objects.get(code="gdp")
    # 2024: 1,000,000 万元 by September and 1,400,000 for the year; 2025 target 1,500,000.
    for year, month, value in [(2024, 9, "1000000"), (2024, 12, "1400000"), (2025, 9, "1050000")]:
        indicator_services.save_value(
            zone=zone,
            indicator=gdp,
            year=year,
            month=month,
            value=Decimal(value),
            acting_user=users["admin"],
        )
    Target.objects.create(zone=zone, indicator=gdp, year=2025, value=Decimal("1500000"))
    (expected,) = [
        p for p in selectors.progress(zone, 2025, 9, with_target_only=True) if p.code == "gdp"
    ]
    assert expected.ytd == Decimal("1050000") and expected.gap == Decimal("450000")
    assert expected.yoy == Decimal("5.00")

    pack = services.build_pack(zone=zone, year=2025, month=9, acting_user=users["staff"])
    document = Document(io.BytesIO(services.render_docx(pack)))
    row = next(
        [cell.text for cell in r.cells]
        for table in document.tables
        for r in table.rows
        if r.cells[0].text == gdp.name
    )
    # as the reader reads them: thousands separated, right-aligned, whole numbers without .00
    assert row[2] == "1,500,000" and row[4] == "1,050,000"
    assert row[5] == "5"  # growth against September 2024, in %
    assert row[8] == "450,000"  # still to deliver
    assert float(row[9].replace(",", "")) == float(expected.q4_must)

    workbook = load_workbook(io.BytesIO(services.render_xlsx(pack)))
    sheet = workbook.worksheets[0]
    assert sheet.title == "一、经济指标完成情况"[:2] + sheet.title[2:]
    assert sheet.title.startswith("一、")
    xlsx_row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == gdp.name)
    assert xlsx_row[2] == 1500000 and xlsx_row[4] == 1050000 and xlsx_row[8] == 450000


def test_cumulative_figure_across_the_year_boundary(zone_tree, users):
    """January's ytd is compared with last January's, not with last December's total."""
    zone = zone_tree["hitech"]
    gdp = Indicator.objects.get(code="gdp")
    for year, month, value in [(2024, 1, "100000"), (2024, 12, "1400000"), (2025, 1, "110000")]:
        indicator_services.save_value(
            zone=zone,
            indicator=gdp,
            year=year,
            month=month,
            value=Decimal(value),
            acting_user=users["admin"],
        )
    Target.objects.create(zone=zone, indicator=gdp, year=2025, value=Decimal("1540000"))
    (p,) = [p for p in selectors.progress(zone, 2025, 1, with_target_only=True) if p.code == "gdp"]
    assert p.yoy == Decimal("10.00")
    assert p.gap == Decimal("1430000")
    assert p.remaining_months == 11
    assert dt.date(2025, 1, 31)  # the pack for January reads the same numbers
    pack = services.build_pack(zone=zone, year=2025, month=1, acting_user=users["staff"])
    section = next(s for s in services.sections_of(pack) if s.key == "indicators.progress")
    row = next(r for r in section.table.rows if r[0] == gdp.name)
    assert row[4] == 110000 and row[5] == 10 and row[8] == 1430000


def test_red_projects_and_their_reasons_are_in_the_pack(zone_tree, users):
    from zoneops.projects.tests.factories import make_project

    # planned to start on 2025-03-01, not started by the end of September: red (3+ months late)
    late = make_project(
        zone_tree["park"],
        1,
        annual_plan=0,
        planned_start=dt.date(2025, 3, 1),
        name="光电产业园二期",
    )
    make_project(zone_tree["park"], 2, annual_plan=0, planned_start=dt.date(2025, 12, 1))
    make_project(zone_tree["econ"], 3, annual_plan=0, planned_start=dt.date(2025, 1, 1))
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=9, acting_user=users["staff"]
    )
    section = next(s for s in services.sections_of(pack) if s.key == "projects.lagging")
    assert [row[0] for row in section.table.rows] == [f"{late.code} 光电产业园二期"]
    assert section.table.rows[0][4] == "红灯"
    assert "2025-03-01" in section.table.rows[0][5]
    assert section.paragraphs == ["1 个项目亮红灯或黄灯(其中红灯 1 个)。"]


def test_sections_agree_with_their_tables_and_nothing_is_late_by_negative_days(zone_tree, users):
    """Every count in a section's text is the count of its table's rows (same query)."""
    import re

    from zoneops.core.loop import services as core_services

    for name, opened in [("用电增容", dt.date(2025, 9, 1)), ("十月底诉求", dt.date(2025, 10, 27))]:
        core_services.open_case(
            kind="standard",
            zone=zone_tree["hitech"],
            title=name,
            acting_user=users["staff"],
            opened_on=opened,
        )
    # escalated a month later: the October pack must not list 十月底诉求 (due in November)
    core_services.tick(on=dt.date(2025, 11, 30))
    pack = services.build_pack(
        zone=zone_tree["hitech"], year=2025, month=10, acting_user=users["staff"]
    )
    overdue = next(s for s in services.sections_of(pack) if s.key == "core.overdue")
    assert [row[0] for row in overdue.table.rows] == ["用电增容"]
    assert all(row[6] is None or row[6] >= 0 for row in overdue.table.rows)
    checked = 0
    for section in services.sections_of(pack):
        if section.table is None or not section.paragraphs:
            continue
        numbers = re.findall(r"\d+", section.paragraphs[0])
        if section.key in ("core.overdue", "tasks.due", "projects.lagging"):
            assert int(numbers[0]) == len(section.table.rows), section.key
            checked += 1
    assert checked >= 1
