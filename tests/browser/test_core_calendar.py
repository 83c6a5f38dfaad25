"""The 工作日历 as its users meet it: the system administrator enters a year's notice, and a
deadline counted on that year stops being marked 暂定 for the staff who handle it."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.tests.test_calendar_entry import NOTICE_2031
from zoneops.jobs.testing import run_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def in_2031():
    with time_machine.travel(dt.datetime(2031, 1, 15, 9, 0), tick=True):
        yield


def test_administrator_enters_a_notice_and_the_provisional_mark_goes(
    in_2031, page, login_as, url, users, zone_tree, screenshot
):
    appeal = new_appeal(zone_tree["park"], users["staff"], on=dt.date(2031, 1, 20))

    login_as(users["staff"])
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url(appeal.get_absolute_url()))
    expect(page.locator("#due-date")).to_have_text("2031-02-06")
    expect(page.locator(".badge-provisional").first).to_have_text("暂定")
    screenshot("staff-provisional-phone")

    login_as(users["admin"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url("/calendar/"))
    expect(page.locator("#calendar-years")).to_contain_text("暂定")
    page.get_by_role("link", name="2031", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2031 年工作日历")
    page.get_by_label("通知原文").fill(NOTICE_2031)
    page.get_by_role("button", name="识别并比对").click()
    differences = page.locator("#calendar-differences")
    expect(differences).to_contain_text("2031-02-08")
    screenshot("admin-preview")
    page.get_by_role("button", name="保存并重算期限").click()
    # Saved and recomputed by a background job: its page, then the worker, then the year.
    expect(page.locator("#job-state")).to_be_visible()
    run_worker()
    expect(page.locator("#job-summary")).to_contain_text(re.compile(r"期限已重算"))
    screenshot("admin-recompute-job")
    page.click("#job-return")  # the deadlines the notice moved
    expect(page.get_by_role("heading", level=1)).to_contain_text("因录入通知而变更的期限")
    expect(page.locator("main")).to_contain_text("2031-02-08")
    page.goto(url("/calendar/2031/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("官方")

    login_as(users["staff"])
    page.goto(url(appeal.get_absolute_url()))
    expect(page.locator("#due-date")).to_have_text("2031-02-08")
    expect(page.locator(".badge-provisional")).to_have_count(0)
