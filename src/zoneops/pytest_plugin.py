"""Loaded with ``-p`` before Django's settings: tests talk plain HTTP to the test client, each
test starts from the shipped work calendar (no year entered on the 工作日历 page), and each
xdist worker has a data directory of its own."""

import atexit
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("ZONEOPS_HTTPS", "0")
os.environ.setdefault("ZONEOPS_CALENDAR_RECHECK_SECONDS", "0")

# Under pytest-xdist each worker process gets its own data directory: the file cache (login
# throttles, remembered choices), uploads and job files of one worker never meet another's.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["ZONEOPS_DATA_DIR"] = tempfile.mkdtemp(prefix=f"zoneops-tests-{worker}-")
    atexit.register(shutil.rmtree, os.environ["ZONEOPS_DATA_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _shipped_work_calendar():
    from zoneops.core.calendar import workdays as calendar

    state = calendar._state
    if state is None or state.official:
        calendar.use_official_days([])
    yield
