"""A large import as a background job (后台作业), in chromium against ``zoneops serve`` and
``zoneops job_worker`` processes on a data directory of their own (the worker must be a
process that can be killed; the live server's in-memory database is out of its reach).

- The upload answers with the job page; its bar moves without a reload; the user leaves,
  and the bell brings them back to the result.
- The worker is killed (SIGKILL) while the import writes: nothing is written, and when a new
  worker starts the open page shows the job failed.
"""

import re
import signal
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from zoneops.jobs.testing_site import migrated_template, new_site
from zoneops.jobs.tests.files import enterprise_csv

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return migrated_template(tmp_path_factory.mktemp("jobs-browser-template"))


@pytest.fixture
def site(template, tmp_path):
    site = new_site(template, tmp_path / "site")
    site.url = site.start_server()
    yield site
    site.stop()


@pytest.fixture
def tab(browser, site, request):
    """A page of the site's server; a console error or a 5xx answer fails the test."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "response",
        lambda r: r.status >= 500 and problems.append(f"HTTP {r.status} {r.url}"),
    )
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-last.png", full_page=True)
    context.close()
    assert not problems, problems


def log_in(page, site):
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("用户名").fill("gx_staff")
    page.get_by_label("密码").fill("Pw-12345678")
    page.locator("#login-form").get_by_role("button", name="登录").click()
    expect(page.locator("#current-user")).to_contain_text("gx_staff")


def upload(page, site, tmp_path, rows: int) -> int:
    register = tmp_path / "register.csv"
    register.write_bytes(enterprise_csv(rows, "GX"))
    page.goto(f"{site.url}/enterprises/import/")
    page.locator("#id_file").set_input_files(str(register))
    page.locator("#import-submit").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def job_state(site, job_id) -> str:
    return site.query("SELECT state FROM jobs_job WHERE id = ?", [job_id])[0][0]


def test_a_large_import_shows_its_progress_and_the_bell_leads_back_to_the_result(
    site, tab, tmp_path
):
    site.start_worker()
    log_in(tab, site)
    job_id = upload(tab, site, tmp_path, 60000)
    expect(tab.locator("#job-title")).to_contain_text("register.csv")
    tab.evaluate("window.zoneopsNoReload = true")

    # The bar moves: several different widths while the job runs, on the same page.
    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(seen) < 2:
        value = tab.locator("#job-bar").get_attribute("aria-valuenow")
        if value is not None and tab.locator("#job-state").inner_text() == "进行中":
            seen.add(int(value))
        time.sleep(0.1)
    assert len(seen) >= 2, seen
    assert tab.evaluate("window.zoneopsNoReload") is True  # HTMX swapped the block only
    expect(tab.locator("#job-counts")).to_contain_text("行")
    tab.screenshot(path=ARTIFACTS / "jobs-import-progress.png", full_page=True)

    # Leave while it runs; come back by the bell once it has ended.
    tab.goto(f"{site.url}/enterprises/")
    deadline = time.monotonic() + 180
    while job_state(site, job_id) in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.25)
    assert job_state(site, job_id) == "done"
    tab.reload()
    expect(tab.locator("#notification-bell")).to_contain_text("1")
    tab.locator("#notification-bell").click()
    tab.get_by_role("link", name=re.compile("后台作业完成")).first.click()
    expect(tab).to_have_url(f"{site.url}/jobs/{job_id}/")
    expect(tab.locator("#job-state")).to_have_text("完成")
    expect(tab.locator("#job-summary")).to_contain_text("新增 60000 条")
    tab.screenshot(path=ARTIFACTS / "jobs-import-result.png", full_page=True)
    assert site.query("SELECT COUNT(*) FROM enterprises_enterprise") == [(60000,)]


def test_a_worker_killed_mid_import_writes_nothing_and_the_page_says_failed(site, tab, tmp_path):
    worker = site.start_worker()
    log_in(tab, site)
    job_id = upload(tab, site, tmp_path, 20000)
    key = site.query("SELECT key FROM jobs_job WHERE id = ?", [job_id])[0][0]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        progress = site.progress(key)
        if progress.get("phase") == "writing" and progress.get("done", 0) > 0:
            break
        time.sleep(0.01)
    else:
        raise AssertionError("the job never wrote")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert site.query("SELECT COUNT(*) FROM enterprises_enterprise") == [(0,)]
    expect(tab.locator("#job-state")).to_have_text("进行中")

    site.start_worker()  # gives up the dead worker's job at its start
    expect(tab.locator("#job-state")).to_have_text("失败", timeout=60_000)
    expect(tab.locator("#job-summary")).to_contain_text("未写入任何数据")
    tab.screenshot(path=ARTIFACTS / "jobs-import-killed.png", full_page=True)
    assert site.query("SELECT COUNT(*) FROM enterprises_enterprise") == [(0,)]
