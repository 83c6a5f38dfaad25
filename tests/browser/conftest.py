"""Fixtures for browser tests: Debian's chromium driven by Playwright against the live server.

Every app's browser tests reuse these:

- ``browser``: one headless chromium for the whole run (never downloaded: the system one).
- ``page``: a fresh context (zh-CN, Asia/Shanghai, downloads allowed) and page for each test.
  Any console error, uncaught page error, failed request to the live server or server error
  (HTTP 5xx, or 4xx for anything but the page itself) fails the test; a test that expects
  one says so with ``page_errors.allow(substring)``.
- ``login_as(user)``: ``page`` with ``user`` logged in (session cookie, no form round trip).
- ``screenshot(name)``: a full-page PNG under ``test-artifacts/browser/``; failed tests
  get one automatically.
- ``url(path)``: the live server's address of ``path``.

Users come from the root conftest's ``users`` / ``zone_tree`` (password "Pw-12345678").
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

from zoneops.notifications.testing import robot_server  # noqa: F401  (a fixture)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
PASSWORD = "Pw-12345678"


def pytest_collection_modifyitems(config, items):
    # Everything in this folder needs chromium: keep it out of the `-m "not browser"` runs
    # even if a module forgets its marker.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: run scripts/install-browser")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes Django
    # refuse ORM calls from the test body; they are ordinary synchronous calls all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=args)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def password():
    """The password of every user made by the root conftest."""
    return PASSWORD


@pytest.fixture
def url(live_server):
    def make(path: str = "/") -> str:
        return live_server.url + path

    return make


class PageErrors:
    """What went wrong in the browser during one test."""

    def __init__(self, origin: str):
        self.origin = origin
        self.errors: list[str] = []
        self.allowed: list[str] = []

    def allow(self, substring: str) -> None:
        """Accept errors containing ``substring`` (e.g. the status line of an expected 422)."""
        self.allowed.append(substring)

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _ours(self, address: str) -> bool:
        return address.startswith(self.origin)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.errors.append(f"console error: {message.text} ({where})")

    def _request_failed(self, request) -> None:
        failure = request.failure or ""
        # Aborted means cancelled by the browser, not refused by the server: a link answered
        # with an attachment becomes a download, a page left while it still loads drops the rest.
        if failure == "net::ERR_ABORTED":
            return
        if self._ours(request.url):
            self.errors.append(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        if not self._ours(response.url):
            return
        document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not document):
            self.errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


@pytest.fixture
def page_errors(live_server):
    return PageErrors(live_server.url)


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_")


def _artifact_name(request, name: str = "") -> Path:
    stem = _safe(request.node.name)
    if name:
        stem = f"{stem}-{_safe(name)}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{stem}.png"


@pytest.fixture
def context(browser, live_server):
    # What the platform's users have: a Chinese browser in China's time zone.
    ctx = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
        accept_downloads=True,
        base_url=live_server.url,
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(request, context, page_errors):
    tab = context.new_page()
    page_errors.watch(tab)
    yield tab
    if getattr(request.node, "browser_call_failed", False):
        # The page may be what broke; the test's own error says more than this one would.
        with contextlib.suppress(Exception):
            tab.screenshot(path=_artifact_name(request, "failed"), full_page=True)
        return
    # Let late requests (scripts, styles) finish so that their errors are counted too.
    tab.wait_for_load_state("load")
    unexpected = page_errors.unexpected()
    if unexpected:
        pytest.fail("The browser reported errors:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture
def screenshot(request, page):
    """``screenshot(name="")`` saves the whole page; returns the PNG's path."""

    def take(name: str = "") -> Path:
        path = _artifact_name(request, name)
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def login_as(page, context, live_server):
    """``login_as(user)`` → ``page`` with ``user`` logged in."""
    from django.conf import settings
    from django.test import Client

    def login(user):
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return login
