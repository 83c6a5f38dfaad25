"""A leader's path: the dashboard, an indicator's gap and what Q4 must deliver, the pack."""

import io
from decimal import Decimal

import pytest
from docx import Document
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def gdp_behind(zone_tree, users):
    """长春高新区: GDP 1,050,000 万元 by September 2025 against a 1,500,000 target."""
    from zoneops.indicators import services
    from zoneops.indicators.models import Indicator, Target

    gdp = Indicator.objects.get(code="gdp")
    for year, month, value in [(2024, 9, "1000000"), (2024, 12, "1400000"), (2025, 9, "1050000")]:
        services.save_value(
            zone=zone_tree["hitech"],
            indicator=gdp,
            year=year,
            month=month,
            value=Decimal(value),
            acting_user=users["admin"],
        )
    Target.objects.create(
        zone=zone_tree["hitech"], indicator=gdp, year=2025, value=Decimal("1500000")
    )
    return gdp


@pytest.fixture
def red_project(zone_tree):
    """Planned to start on 2025-03-01 and still not started: red."""
    import datetime as dt

    from zoneops.projects.tests.factories import make_project

    return make_project(
        zone_tree["park"],
        1,
        annual_plan=0,
        planned_start=dt.date(2025, 3, 1),
        name="光电产业园二期",
    )


def test_leader_drills_into_a_red_project(login_as, url, users, zone_tree, red_project, screenshot):
    page = login_as(users["leader"])
    page.goto(url(f"/dashboard/?zone={zone_tree['hitech'].pk}&period=2025-09"))
    panel = page.locator("#panel-projectslights")
    expect(panel).to_contain_text("重点项目")
    panel.locator("a").first.click()  # the figure opens the lagging list
    row = page.locator("tr", has_text="光电产业园二期")
    expect(row).to_contain_text("2025-03-01")
    row.locator("a", has_text="光电产业园二期").first.click()
    expect(page.locator("h1")).to_contain_text("光电产业园二期")
    screenshot("red-project")


def test_leader_sees_the_gap_and_downloads_the_pack(
    login_as, url, users, zone_tree, gdp_behind, screenshot, settings, tmp_path
):
    from zoneops.jobs.testing import run_worker

    settings.DATA_DIR = tmp_path  # the pack's job keeps its file here
    page = login_as(users["leader"])
    page.goto(url("/dashboard/"))
    page.select_option("#id_zone", str(zone_tree["hitech"].pk))
    page.fill("#id_period", "2025-09")
    page.click("#dashboard-filter button[type=submit]")
    panel = page.locator(f"#panel-indicatorsprogress{zone_tree['hitech'].code.lower()}")
    expect(panel).to_contain_text("长春高新区")
    expect(panel).to_contain_text("0/1")
    expect(panel.locator("canvas")).to_have_count(1)  # the ECharts bar chart is drawn
    screenshot("dashboard")

    # drill down: the panel's figure opens the progress table with the gap and Q4's share
    panel.locator("a").first.click()
    row = page.locator("tr", has_text="地区生产总值")
    expect(row).to_contain_text("450000")
    expect(row.locator(".q4-must")).not_to_have_text("—")
    screenshot("progress")

    page.go_back()
    page.select_option("#make-pack select[name=zone]", str(zone_tree["hitech"].pk))
    page.fill("#make-pack input[name=period]", "2025-09")
    page.click("#make-pack button[type=submit]")
    # The pack is made by a background job: its page, then the worker, then the pack.
    expect(page.locator("#job-state")).to_be_visible()
    run_worker()
    expect(page.locator("#job-state")).to_contain_text("完成")
    screenshot("pack-job")
    page.click("#job-return")
    expect(page.locator("h1")).to_contain_text("长春高新区 调度通报(2025-09)")
    with page.expect_download() as download:
        page.click("#download-docx")
    with open(download.value.path(), "rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    # numbers in a 公文 table are grouped by thousands, as readers expect them
    assert "地区生产总值" in cells and "450,000" in cells
    screenshot("pack")
