"""Loaded with ``-p`` before Django's settings: tests talk plain HTTP to the test client, and
each test starts from the shipped work calendar (no year entered on the 工作日历 page)."""

import os

import pytest

os.environ.setdefault("ZONEOPS_HTTPS", "0")
os.environ.setdefault("ZONEOPS_CALENDAR_RECHECK_SECONDS", "0")


@pytest.fixture(autouse=True)
def _shipped_work_calendar():
    from zoneops.core import calendar

    state = calendar._state
    if state is None or state.official:
        calendar.use_official_days([])
    yield
