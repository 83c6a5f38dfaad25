"""A first week at the desk (#18): each flow walked by the role that uses it, with screenshots.

- zone staff edit an enterprise with the searchable pickers (industry by GB/T 4754 code, zone
  by name), by keyboard, on a phone-size screen, and nothing else of the record changes;
- zone staff assign an appeal to the liaison through the people picker;
- the new area's leader reads the zone ranking (table, arrows, chart), the zone tree with its
  subtotals and a campaign's page.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"


def pick(page, label: str, typed: str, option: str) -> None:
    """Open the picker labelled ``label``, type, choose ``option`` with the keyboard."""
    box = page.get_by_role("combobox", name=label)
    box.focus()  # as Tab reaches it
    box.press_sequentially(typed)
    listbox = page.locator(".ts-dropdown:visible")
    expect(listbox.get_by_role("option", name=option)).to_be_visible()
    # The first match is active: Enter takes it, as a keyboard user would.
    for _ in range(20):
        active = listbox.locator(".option.active")
        if active.count() and option in active.inner_text():
            break
        box.press("ArrowDown")
    box.press("Enter")


def test_staff_edit_an_enterprise_with_pickers_on_a_phone(
    login_as, users, zone_tree, url, screenshot
):
    from zoneops.enterprises.models import Enterprise, Industry
    from zoneops.enterprises.tests.factories import enterprise

    ent = enterprise(zone_tree["hitech"], 1, name="长春光电科技有限公司", industry="2761")
    before = {
        f.attname: getattr(ent, f.attname)
        for f in Enterprise._meta.concrete_fields
        if f.attname not in ("updated_at", "industry_id", "zone_id")
    }
    page = login_as(users["staff"])
    page.set_viewport_size(PHONE)
    page.goto(url(ent.get_absolute_url() + "edit/"))
    # The selects are pickers, labelled: a screen reader announces "行业", "区域".
    industry = page.get_by_role("combobox", name="行业")
    expect(industry).to_be_visible()
    fits(page)
    pick(page, "行业", "3971", "C3971 电子真空器件制造")
    pick(page, "区域", "光电", "光电产业园")
    screenshot("phone-pickers")
    fits(page)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot("phone-saved")
    ent.refresh_from_db()
    assert ent.industry == Industry.objects.get(code="3971")
    assert ent.zone == zone_tree["park"]
    after = {name: getattr(ent, name) for name in before}
    assert after == before  # nothing the user did not touch has changed


def test_staff_assign_an_appeal_through_the_people_picker(
    login_as, users, zone_tree, url, screenshot
):
    from zoneops.appeals.tests.conftest import new_appeal
    from zoneops.core.models import Department

    department = Department.objects.create(zone=zone_tree["hitech"], name="营商环境建设局")
    appeal = new_appeal(zone_tree["park"], users["staff"], on=dt.date.today())
    page = login_as(users["staff"])
    page.goto(url(appeal.get_absolute_url()))
    page.locator("#transition-form button[data-transition=accept]").click()
    expect(page.locator("#case-state")).to_have_text("已受理")
    form = page.locator("#transition-form")
    form.locator("[name=department]").select_option(str(department.pk))
    pick(page, "承办人", "liaison", "gx_liaison")
    screenshot("assign")
    form.locator("button[data-transition=assign]").click()
    expect(page.locator("#case-state")).to_have_text("已交办")
    appeal.case.refresh_from_db()
    assert appeal.case.handler == users["liaison"] and appeal.case.department == department


@pytest.fixture
def ranked(zone_tree):
    """Two zones of 长春新区 that swap places between August and September."""
    from zoneops.indicators import services
    from zoneops.indicators.models import Indicator

    gdp = Indicator.objects.get(code="gdp")
    hitech, beihu = zone_tree["hitech"], zone_tree["beihu"]
    for zone, values in ((hitech, (100, 110, 101, 125)), (beihu, (100, 110, 108, 118))):
        for (year, month), value in zip(
            ((2024, 8), (2024, 9), (2025, 8), (2025, 9)), values, strict=True
        ):
            services.save_value(
                zone=zone, indicator=gdp, year=year, month=month, value=D(value), acting_user=None
            )
    return hitech, beihu


def test_leader_reads_the_ranking_the_zone_tree_and_a_campaign(
    login_as, users, zone_tree, ranked, url, screenshot
):
    from zoneops.enterprises.tests.factories import enterprise
    from zoneops.tasks import services as task_services
    from zoneops.tasks.models import Campaign

    page = login_as(users["leader"])
    page.goto(url("/indicators/ranking/"))
    rows = page.locator("#ranking-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("长春高新区")
    expect(rows.nth(0).locator(".rank-move")).to_contain_text("▲ 1")
    expect(rows.nth(1).locator(".rank-move")).to_contain_text("▼ 1")
    chart = page.locator("#ranking-chart canvas")
    expect(chart).to_have_count(1)
    screenshot("ranking")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#ranking-chart canvas")).to_have_count(1)
    fits(page)
    screenshot("ranking-phone")

    enterprise(zone_tree["park"], 2)
    enterprise(zone_tree["beihu"], 3)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url("/zones/"))
    new_area = page.locator("tr.zone-row[data-zone=XQ]")
    expect(new_area.locator(".zone-figure").first).to_have_text("2")
    expect(page.locator("tr.zone-row[data-zone=GX-P1]")).to_have_attribute("data-depth", "2")
    screenshot("zone-tree")

    campaign = Campaign.objects.create(
        zone=zone_tree["hitech"],
        name="大干60天冲刺四季度",
        starts_on=dt.date.today() - dt.timedelta(days=10),
        ends_on=dt.date.today() + dt.timedelta(days=50),
    )
    for title in ("规上工业企业走访全覆盖", "重点项目开复工"):
        task_services.create_task(
            zone=zone_tree["hitech"],
            title=title,
            deadline=dt.date.today() + dt.timedelta(days=40),
            acting_user=users["staff"],
            campaign=campaign,
        )
    page.goto(url(campaign.get_absolute_url()))
    expect(page.locator("#campaign-state-label")).to_have_text("进行中")
    expect(page.locator("#campaign-tasks tbody tr")).to_have_count(2)
    screenshot("campaign")
