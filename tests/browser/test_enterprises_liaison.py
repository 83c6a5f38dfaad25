"""A liaison cadre's day with their enterprises, in the browser (issue 4's "Done when").

The cadre logs in, finds the enterprises they look after first, records a visit, puts one in
the cultivation pool with a support plan and imports a month of figures in the statistics
office's layout, all through the pages. The liaison role may add visits, pool entries, support
measures and monthly figures (``LIAISON_WORKS`` in the enterprises models), so every step is
theirs.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_rows(page, selector="#object-table tbody tr") -> list[list[str]]:
    return page.locator(selector).evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )


def template_headers(path) -> list[str]:
    # Playwright keeps downloads under names without a suffix, which openpyxl refuses.
    with open(path, "rb") as handle:
        workbook = load_workbook(handle, read_only=True)
        header = next(workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
    return [str(h) for h in header]


def xlsx_upload(name: str, rows: list[list]) -> dict:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": name, "mimeType": XLSX, "buffer": buffer.getvalue()}


def open_enterprise(page, name: str) -> None:
    """From anywhere: the 企业 menu, then the enterprise's row in the list."""
    page.locator("nav").get_by_role("link", name="企业", exact=True).click()
    page.locator("#object-table").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


@pytest.fixture
def enterprises(zone_tree, users):
    from zoneops.enterprises import services
    from zoneops.enterprises.tests.factories import enterprise

    park, staff, liaison = zone_tree["park"], users["staff"], users["liaison"]
    # Names chosen so that alphabetical order would put an unassigned one first.
    mine_a = enterprise(park, 101, name="长光卫星技术股份有限公司")
    mine_b = enterprise(park, 102, name="吉林奥来德光电材料股份有限公司")
    unassigned = enterprise(park, 103, name="奥普光电股份有限公司")
    elsewhere = enterprise(zone_tree["econ"], 104, name="一汽解放汽车零部件有限公司")
    for ent in (mine_a, mine_b):
        services.assign_liaison(ent, liaison, acting_user=staff, is_lead=True)
    return {"mine": [mine_a, mine_b], "unassigned": unassigned, "elsewhere": elsewhere}


def test_liaison_visits_pools_and_imports_figures(login_as, users, enterprises, url, screenshot):
    from zoneops.enterprises.models import CultivationEntry, MonthlyFigure, SupportMeasure, Visit

    liaison = users["liaison"]
    mine_a, mine_b = enterprises["mine"]
    page = login_as(liaison)

    # 1. The enterprise list: the cadre's own enterprises first, nothing of another zone.
    page.goto(url("/enterprises/"))
    expect(page.locator("#mine-hint")).to_have_text("您包保 2 户企业，已排在最前。")
    expect(page.locator("#result-count")).to_have_text("共 3 条记录")
    names = [row[0] for row in table_rows(page)]
    assert sorted(names[:2]) == sorted([mine_a.name, mine_b.name])
    assert names[2:] == [enterprises["unassigned"].name]
    assert enterprises["elsewhere"].name not in names
    page.locator("#enterprise-links").get_by_role("link", name="我包保的企业").click()
    expect(page.locator("#result-count")).to_have_text("共 2 条记录")
    names = [row[0] for row in table_rows(page)]
    assert sorted(names) == sorted([mine_a.name, mine_b.name])
    screenshot("my-enterprises")

    # 2. Open one of them.
    page.locator("#object-table").get_by_role("link", name=mine_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(mine_a.name)
    expect(page.locator("#liaisons")).to_contain_text(liaison.username)
    expect(page.locator("#visits")).to_contain_text("无")

    # 3. Record a visit.
    visited_on = dt.date.today() - dt.timedelta(days=3)
    page.locator("#record-visit").click()
    expect(page.locator("#id_enterprise")).to_have_value(mine_a.uscc)
    page.locator("#id_visited_on").fill(visited_on.isoformat())
    page.locator("#id_people_met").fill("王总经理、财务总监李女士")
    page.locator("#id_findings").fill("二期厂房扩产,流动资金紧张,希望对接银行贷款。")
    page.locator("#edit-form").get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    screenshot("visit-saved")
    open_enterprise(page, mine_a.name)
    expect(page.locator("#visits")).to_contain_text("流动资金紧张")
    expect(page.locator("#visits")).to_contain_text(visited_on.isoformat())

    visit = Visit.objects.get()
    assert visit.enterprise == mine_a
    assert visit.cadre == liaison
    assert visit.visited_on == visited_on
    assert visit.people_met == "王总经理、财务总监李女士"
    assert "银行贷款" in visit.findings

    # 4. Into the cultivation pool, then a measure of the support plan.
    page.locator("#add-to-pool").click()
    expect(page.locator("#id_enterprise")).to_have_value(mine_a.uscc)
    page.locator("#id_target").select_option("scale_up")
    page.locator("#id_target_year").fill(str(dt.date.today().year))
    page.locator("#edit-form").get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    entry = CultivationEntry.objects.get()
    expect(page).to_have_url(url(entry.get_absolute_url()))

    due_on = dt.date.today() + dt.timedelta(days=30)
    page.locator("#add-measure").click()
    expect(page.locator("#id_entry")).to_have_value(str(entry.pk))
    page.locator("#id_measure").fill("协调长春农商行流动资金贷款 500 万元")
    page.locator("#id_cadre").select_option(label=str(liaison))
    page.locator("#id_due_on").fill(due_on.isoformat())
    page.locator("#edit-form").get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    open_enterprise(page, mine_a.name)
    expect(page.locator("#pool")).to_contain_text("升规入统")
    expect(page.locator("#pool")).to_contain_text("1 项措施")
    page.locator("#pool").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("升规入统")
    assert table_rows(page, "#measures tbody tr") == [
        ["协调长春农商行流动资金贷款 500 万元", liaison.username, "—", due_on.isoformat(), "计划"]
    ]
    screenshot("pool-entry")

    assert entry.enterprise == mine_a
    assert entry.target == CultivationEntry.Target.SCALE_UP
    assert entry.target_year == dt.date.today().year
    measure = SupportMeasure.objects.get()
    assert (measure.entry, measure.cadre, measure.due_on) == (entry, liaison, due_on)

    # 5. A month of figures from the statistics office's spreadsheet.
    page.locator("nav").get_by_role("link", name="企业", exact=True).click()
    page.locator("#enterprise-links").get_by_role("link", name="月度数据", exact=True).click()
    page.get_by_role("link", name="导入", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导入月度数据")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载导入模板").click()
    header = template_headers(info.value.path())
    # The statistics office's columns, as the page lists them: code, name, 报告期, then the
    # year-to-date amounts in 万元.
    documented = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert header == documented
    assert header[:3] == ["统一社会信用代码", "名称", "报告期"]
    assert header[5] == "营业收入本年累计（万元）"
    assert header[8] == "从业人员"
    # One row per enterprise for the month; 报告期 written the two ways offices write it,
    # an empty cell where the office reports nothing.
    rows = [
        [mine_a.uscc, mine_a.name, "2025-03", "", "", 1850.5, 1920, 96.3, 212, 88, 410],
        [mine_b.uscc, mine_b.name, "2025年3月", "", "", 760, "", 31.2, 85, 12.5, ""],
    ]
    page.locator("#id_file").set_input_files(xlsx_upload("2025年3月.xlsx", [header, *rows]))
    page.locator("#import-submit").click()
    expect(page.get_by_role("alert")).to_have_text("导入完成:新增 2 条,更新 0 条。")
    expect(page.get_by_role("heading", level=1)).to_have_text("月度数据")
    expect(page.locator("#result-count")).to_have_text("共 2 条记录")
    listed = {row[0]: row[1:] for row in table_rows(page)}
    # Enterprise and month, then revenue, yoy, output, yoy, tax, employees, R&D, energy.
    assert listed == {
        f"{mine_a.name} 2025-03": ["1850.50", "—", "1920", "—", "96.30", "212", "88", "410"],
        f"{mine_b.name} 2025-03": ["760", "—", "0", "—", "31.20", "85", "12.50", "0"],
    }
    screenshot("figures-imported")

    figures = {f.enterprise_id: f for f in MonthlyFigure.objects.all()}
    assert set(figures) == {mine_a.pk, mine_b.pk}
    a, b = figures[mine_a.pk], figures[mine_b.pk]
    assert (a.year, a.month, b.year, b.month) == (2025, 3, 2025, 3)
    assert (a.main_revenue, a.output_value, a.tax_paid) == (
        Decimal("1850.50"),
        Decimal("1920"),
        Decimal("96.30"),
    )
    assert (a.employees, a.rd_expense, a.energy_use) == (212, Decimal("88"), Decimal("410"))
    assert (b.main_revenue, b.output_value, b.employees) == (Decimal("760"), Decimal(0), 85)
    assert a.source == "import: 2025年3月.xlsx"

    # 6. The figures on the enterprise page.
    open_enterprise(page, mine_a.name)
    # Month, revenue, yoy, output, yoy, tax, employees; no figures of last March: no yoy.
    assert table_rows(page, "#figures tbody tr") == [
        ["2025-03", "1850.50", "—", "1920", "—", "96.30", "212"]
    ]
    # The visit and the pool entry are still there beside them.
    expect(page.locator("#visits")).to_contain_text("流动资金紧张")
    expect(page.locator("#pool")).to_contain_text("升规入统")
    screenshot("enterprise-with-figures")
