"""The indicator demo lives today: 长春高新区's series run to last month (last year complete),
this year has its targets, months before last are approved; seeding again changes nothing."""

import datetime as dt

import pytest
import time_machine

from zoneops.core.ops.demo import seed_zones
from zoneops.indicators import demo
from zoneops.indicators.models import IndicatorValue, MonthClose, Target

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize("day", [dt.date(2026, 3, 16), dt.date(2027, 8, 2), dt.date(2031, 1, 10)])
def test_the_indicator_demo_is_current(day):
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ), tick=False):
        seed_zones()
        demo.seed()
        last = dt.date(day.year, day.month, 1) - dt.timedelta(days=1)
        gdp = IndicatorValue.objects.filter(zone__code="CCGX", indicator__code="gdp")
        assert max(gdp.values_list("year", "month")) == (last.year, last.month)
        assert gdp.filter(year=day.year - 1).count() == 12
        growth = set(gdp.filter(month=12, year__gte=2026).values_list("yoy", flat=True))
        assert len(growth) == len(range(2026, day.year)) and None not in growth
        assert Target.objects.filter(zone__code="CCGX", year=day.year).count() == 9
        approved = MonthClose.objects.filter(zone__code="CCGX", is_locked=True)
        before_last = dt.date(last.year, last.month, 1) - dt.timedelta(days=1)
        assert approved.filter(year=before_last.year, month=before_last.month).exists()
        assert not approved.filter(year=last.year, month=last.month).exists()
        count = IndicatorValue.objects.count()
        assert demo.seed() == "0 indicator records"
        assert IndicatorValue.objects.count() == count
