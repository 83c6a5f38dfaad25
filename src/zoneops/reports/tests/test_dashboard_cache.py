"""The dashboard's panels are kept until the data changes (zoneops.core.db.versions): computed
once for everyone who reads them, again after any write and on the next day."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.models import DataVersion
from zoneops.reports.registry import collect_panels

pytestmark = pytest.mark.django_db(transaction=True)
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def counted():
    DataVersion.objects.update_or_create(pk=1, defaults={"version": 10**17})


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_is_computed_once_and_again_after_a_new_appeal(zone_tree, users, counted):
    """A province's dashboard read twice costs its panels' queries once; an appeal filed in
    between shows at once (never a figure the lists would contradict)."""
    hitech = zone_tree["hitech"]
    new_appeal(hitech, users["staff"], on=dt.date(2026, 3, 2))
    zones = users["staff"].visible_zones()

    def appeals_this_year():
        with CaptureQueriesContext(connection) as queries:
            panels = collect_panels(zones, 2026, 3, users["staff"])
        panel = next(p for p in panels if p.key.startswith("appeals"))
        return panel.note, len(queries)  # "{total} appeals, {closed} closed, …"

    first, first_queries = appeals_this_year()
    again, cached_queries = appeals_this_year()
    assert again == first
    assert cached_queries < first_queries and cached_queries <= 3
    new_appeal(hitech, users["staff"], on=dt.date(2026, 3, 10))
    after, after_queries = appeals_this_year()
    assert after != first
    assert after_queries > cached_queries


@time_machine.travel(NOW, tick=False)
def test_the_next_day_the_panels_are_computed_again(zone_tree, users, counted):
    zones = users["staff"].visible_zones()
    collect_panels(zones, 2026, 3, users["staff"])
    with CaptureQueriesContext(connection) as same_day:
        collect_panels(zones, 2026, 3, users["staff"])
    with (
        time_machine.travel(NOW + dt.timedelta(days=1), tick=False),
        CaptureQueriesContext(connection) as next_day,
    ):
        collect_panels(zones, 2026, 3, users["staff"])
    assert len(next_day) > len(same_day)
