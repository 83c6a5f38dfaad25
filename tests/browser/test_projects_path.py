"""Issue 5's path in the browser: a zone's staff member imports the key-project dispatch sheet,
reads the lights and the lagging list, opens the timeline, closes a blocker's loop, moves an
investment lead through the funnel to landing and records funds in place against the target.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CLOSE = "销号"  # a blocker is 销号, not the appeals' 办结 (pgettext "blocker")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The dispatch sheet as zones keep it: Chinese headers (the import page's documented aliases).
HEADER = [
    "项目编号",
    "项目名称",
    "所属园区",
    "建设性质",
    "建设阶段",
    "总投资(万元)",
    "计划年度",
    "年度计划投资(万元)",
    "截至月份",
    "本年累计完成投资(万元)",
    "计划开工",
    "实际开工",
    "包保领导",
    "责任单位",
]


def months_ago(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def dispatch_sheet(today: dt.date) -> dict:
    started = months_ago(today, 8).isoformat()
    rows = [
        # On plan: started, the whole annual plan done already → green.
        ["GX-T001", "光电子信息产业园", "长春高新区", "续建", "开工", 50000, today.year, 8000,
         today.month, 8000, started, started, "王副主任", "经发局"],
        # Not started five months after the planned start, nothing invested → red.
        ["GX-T002", "新能源汽车零部件基地", "长春高新区", "新建", "前期", 120000, today.year,
         20000, today.month, 0, months_ago(today, 5).isoformat(), "", "李副主任", "建设局"],
        # Planned start passed last month, investment on pace → yellow.
        ["GX-T003", "生物医药研发平台", "长春高新区", "新建", "前期", 30000, today.year, 6000,
         today.month, 6000, months_ago(today, 1).isoformat(), "", "张副主任", "科技局"],
    ]  # fmt: skip
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": "重点项目调度表.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}


def table_rows(page, selector: str) -> list[list[str]]:
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )


def expect_chart(page, container: str) -> None:
    """ECharts drew into the container: a canvas with a real size."""
    canvas = page.locator(f"{container} canvas").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100


def test_dispatch_sheet_lights_lagging_timeline_and_blocker_loop(
    login_as, users, zone_tree, url, screenshot
):
    from zoneops.core.models import Department
    from zoneops.projects.models import Blocker, Project

    Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
    today = timezone.localdate()
    page = login_as(users["staff"])

    # Import the dispatch sheet from the projects list.
    page.goto(url("/projects/"))
    page.get_by_role("link", name="导入", exact=True).click()
    expect(page).to_have_url(url("/projects/import/"))
    page.locator("#id_file").set_input_files(dispatch_sheet(today))
    page.locator("#import-submit").click()
    expect(page).to_have_url(url("/projects/"))
    expect(page.get_by_role("alert")).to_have_text("导入完成:新增 3 条,更新 0 条。")
    projects = {p.code: p for p in Project.objects.all()}
    assert set(projects) == {"GX-T001", "GX-T002", "GX-T003"}
    assert {p.zone_id for p in projects.values()} == {zone_tree["hitech"].pk}
    assert projects["GX-T002"].total_investment == Decimal(120000)
    assert projects["GX-T001"].completed_ytd == Decimal(8000)

    # The lights, each with its reason, in the list.
    lights = {row[0]: row[9] for row in table_rows(page, "#object-table")}
    assert lights["GX-T001"].startswith("绿灯")
    assert lights["GX-T002"].startswith("红灯")
    assert "未按计划开工" in lights["GX-T002"]
    assert lights["GX-T003"].startswith("黄灯")
    screenshot("imported")

    # The lagging list: red before yellow, the on-plan project absent, reasons spelt out.
    page.locator("#nav-lagging").click()
    expect(page.get_by_role("heading", name=re.compile("滞后项目清单"))).to_be_visible()
    rows = table_rows(page, "#object-table")
    assert [(r[0], r[6]) for r in rows] == [("GX-T002", "红灯"), ("GX-T003", "黄灯")]
    planned = projects["GX-T002"].planned_start
    days = (today - planned).days
    assert f"未按计划开工:计划开工 {planned.isoformat()},已延误 {days} 天" in rows[0][7]
    assert rows[0][4:6] == ["李副主任", "建设局"]
    screenshot("lagging")

    # The zone's timeline (Gantt) and then the red project's own page with its chart.
    page.locator("#nav-timeline").click()
    expect(page).to_have_url(url("/projects/timeline/"))
    expect_chart(page, "#zone-gantt")
    screenshot("timeline")
    page.locator("#nav-lagging").click()
    page.locator("#object-table").get_by_role("link", name="GX-T002").click()
    expect(page.locator("#project-light .badge")).to_have_text("红灯")
    expect(page.locator("#project-light")).to_contain_text("未按计划开工")
    expect_chart(page, "#project-gantt")

    # Raise a land blocker on it and take it round its loop to closed.
    page.locator("#raise-blocker").click()
    expect(page.locator("#id_project")).to_have_value("GX-T002")
    page.locator("#id_kind").select_option("land")
    page.locator("#id_description").fill("用地指标未落实,需协调自然资源局。")
    page.locator("#id_limit_working_days").fill("5")
    page.get_by_role("button", name="保存").click()
    state = page.locator("#case-state")
    expect(state).to_have_text("已登记")
    blocker = Blocker.objects.get(project__code="GX-T002")
    assert blocker.case.is_open and blocker.case.limit_working_days == 5

    form = page.locator("#transition-form")
    form.locator("#id_department").select_option(label="长春高新区 · 经济发展局")
    form.locator("#id_handler").select_option(label="gx_liaison")
    form.get_by_role("button", name="交办").click()
    expect(state).to_have_text("已交办")
    form.get_by_role("button", name="开始协调").click()
    expect(state).to_have_text(re.compile("协调"))
    form.locator("#id_comment").fill("已与自然资源局对接,用地指标已调剂到位。")
    form.get_by_role("button", name="标记已解决").click()
    expect(state).to_have_text("已解决")
    form.get_by_role("button", name=CLOSE).click()
    expect(state).to_have_text("已销号")
    expect(page.locator("#transition-form button", has_text=CLOSE)).to_have_count(0)
    expect(page.locator("#loop-events")).to_contain_text("已与自然资源局对接")
    screenshot("blocker-closed")

    blocker.case.refresh_from_db()
    assert blocker.case.state == "closed"
    assert not blocker.case.is_open
    assert blocker.case.handler == users["liaison"]
    assert blocker.case.events.count() >= 5

    # Back on the project page the blocker shows closed.
    page.goto(url(blocker.project.get_absolute_url()))
    expect(page.locator("#blocker-table tbody")).to_contain_text("已销号")


def test_lead_funnel_to_landing_and_funds_against_target(
    login_as, users, zone_tree, url, screenshot
):
    from zoneops.investment.models import AnnualTarget, FundsInPlace, Lead
    from zoneops.investment.services import year_elapsed
    from zoneops.projects.models import Project

    today = timezone.localdate()
    hitech = zone_tree["hitech"]
    AnnualTarget.objects.create(
        zone=hitech, year=today.year, signed_landed=4, funds_in_place=Decimal(20000)
    )
    page = login_as(users["staff"])

    # A new lead, entered through its form.
    page.goto(url("/investment/leads/add/"))
    page.locator("#id_name").fill("汽车电子控制器项目")
    page.locator("#id_zone").select_option(label="长春高新区")
    page.locator("#id_investor_company").fill("深圳某电子科技有限公司")
    page.locator("#id_source_division").fill("440300")
    page.locator("#id_method").select_option("chain")
    page.locator("#id_intended_investment").fill("50000")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#lead-stage")).to_have_text("线索")
    lead = Lead.objects.get(name="汽车电子控制器项目")

    # The kanban: move the card along with the non-drag control of each card.
    page.get_by_role("link", name="招商线索").click()
    page.locator("#nav-kanban").click()
    expect_chart(page, "#funnel-chart")
    card = page.locator(f"#lead-{lead.pk}")

    def move(stage: str, label: str) -> None:
        card.locator("summary").click()
        card.locator("select[name=stage]").select_option(stage)
        card.get_by_role("button", name="移动").click()
        column = page.locator(f".kanban-column[data-stage={stage}]")
        expect(column.locator(f"#lead-{lead.pk}")).to_be_visible()
        expect(column.get_by_role("heading")).to_contain_text(label)

    move("contact", "接洽")
    # Dragging the card to the next column does the same through HTMX.
    card.drag_to(page.locator(".kanban-column[data-stage=visit]"))
    expect(page.locator(f".kanban-column[data-stage=visit] #lead-{lead.pk}")).to_be_visible()
    expect(page.locator(".kanban-column[data-stage=visit] .column-count")).to_have_text("1")
    move("negotiation", "谈判")
    screenshot("kanban")
    lead.refresh_from_db()
    assert lead.stage == "negotiation"
    assert list(lead.stage_changes.values_list("to_stage", flat=True).order_by("id")) == [
        "lead",  # entered
        "contact",
        "visit",
        "negotiation",
    ]

    # Sign it on its page, then move it to 签约 on the kanban.
    card.get_by_role("link", name="汽车电子控制器项目").click()
    page.locator("#add-signing").click()
    page.locator("#id_signed_on").fill(today.isoformat())
    page.locator("#id_amount").fill("60000")
    with page.expect_navigation():  # saved before the next page is opened
        page.get_by_role("button", name="保存").click()
    page.goto(url("/investment/leads/kanban/"))
    move("signed", "签约")

    # Land it: the new project is linked both ways.
    card.get_by_role("link", name="汽车电子控制器项目").click()
    land = page.locator("#land-form")
    land.locator("#id_code").fill("GX-T100")
    land.get_by_role("button", name="落地").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("汽车电子控制器项目")
    expect(page.locator("#project-lead")).to_have_text("汽车电子控制器项目")
    screenshot("landed-project")
    project = Project.objects.get(code="GX-T100")
    lead.refresh_from_db()
    assert lead.project == project
    assert project.zone == hitech
    assert lead.landed_on == today

    page.locator("#project-lead").click()
    expect(page.locator("#landed-project")).to_contain_text("汽车电子控制器项目")

    # Funds in place this month, then the progress against the zone's target.
    page.locator("#add-funds").click()
    page.locator("#id_year").fill(str(today.year))
    page.locator("#id_month").fill(str(today.month))
    page.locator("#id_amount").fill("15000")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    funds = FundsInPlace.objects.get(lead=lead)
    assert (funds.year, funds.month, funds.amount) == (today.year, today.month, Decimal(15000))

    page.goto(url("/investment/leads/"))
    page.locator("#nav-progress").click()
    page.locator("#id_zone").select_option(label="长春高新区")
    page.locator("#id_year").fill(str(today.year))
    # Read the table of the answer, not the one still shown while it loads.
    with page.expect_navigation():
        page.get_by_role("button", name="显示").click()
    progress = {row[0]: row for row in table_rows(page, "#progress-table")}
    assert progress["到位资金(万元)"][1:4] == ["20000", "15000", "75"]
    pace = "落后" if Decimal(75) < year_elapsed(today.year, today) else "符合序时进度"
    assert progress["到位资金(万元)"][4] == pace
    expect_chart(page, "#funds-chart")
    screenshot("progress")
