"""The staff's start page in the browser: after signing in, a zone's staff member sees their
open items (the overdue one first and marked), the month waiting for approval and their recent
import, and each leads to its page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_start_from_what_waits_for_them(login_as, users, zone_tree, url, screenshot):
    from django.utils import timezone

    from zoneops.core.loop import services as loop_services
    from zoneops.enterprises.tests.factories import enterprise, figure
    from zoneops.jobs.models import Job

    today = timezone.localdate()
    staff = users["staff"]
    for title, days in (("逾期的隐患整改", 60), ("刚提交的诉求", 1)):
        loop_services.open_case(
            kind="standard", zone=zone_tree["park"], title=title, acting_user=staff,
            opened_on=today - dt.timedelta(days=days),
        )  # fmt: skip
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    figure(enterprise(zone_tree["park"], 1), last_month.year, last_month.month, "100")
    Job.objects.create(kind=Job.Kind.IMPORT, title="企业名录.xlsx", user=staff)

    page = login_as(staff)
    page.goto(url("/"))
    open_items = page.locator("#start-core-open_items")
    expect(open_items.get_by_role("heading")).to_contain_text("我的待办")
    first = open_items.locator(".start-item").first
    expect(first).to_contain_text("逾期的隐患整改")
    expect(first).to_contain_text("超期")
    expect(open_items.locator(".start-item").nth(1)).to_contain_text("刚提交的诉求")
    months = page.locator("#start-enterprises-months_to_approve")
    expect(months).to_contain_text(f"长春高新区：{last_month.year}年{last_month.month:02d}月数据")
    expect(page.locator("#start-jobs-recent")).to_contain_text("企业名录.xlsx")
    expect(page.locator("#start-links").get_by_role("link", name="企业诉求")).to_be_visible()
    screenshot("start-page")

    first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("逾期的隐患整改")
    page.go_back()
    open_items.get_by_role("link", name=re.compile("查看全部")).click()
    expect(page).to_have_url(re.compile(r"/cases/\?is_open=true$"))
