"""The enterprise demo lives today: figures of last year complete and this year up to last
month with growth that varies by enterprise and month; every tier of the pyramid populated
as a pyramid; seeding again changes nothing; a later seed rolls it forward."""

import datetime as dt

import pytest
import time_machine

from zoneops.core.models import Zone
from zoneops.core.ops.demo import seed_zones
from zoneops.enterprises import demo, services
from zoneops.enterprises.models import Certification, MonthlyFigure

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ), tick=False)


def check_current(day: dt.date) -> None:
    last = dt.date(day.year, day.month, 1) - dt.timedelta(days=1)
    latest = MonthlyFigure.objects.order_by("-year", "-month").values_list("year", "month")[0]
    assert latest == (last.year, last.month)
    assert MonthlyFigure.objects.filter(year=day.year - 1, month=12).count() >= 6
    zone = Zone.objects.get(code="CCGX")
    levels = {lv.tier: lv.holders for lv in services.pyramid(zone, day).levels}
    assert levels["hnte"] == 631 and levels["little_giant"] == 19
    assert levels["tech_sme"] > levels["hnte"] > levels["srdi"] > levels["little_giant"]
    assert levels["little_giant"] > levels["gazelle"] > levels["unicorn"] > 0
    # Growth varies by enterprise and by month (not the same rate everywhere).
    growth = set()
    for figure in services.with_yoy(MonthlyFigure.objects.filter(year=last.year)):
        rate = services.yoy(figure.main_revenue, figure.prev_main_revenue)
        if rate is not None:
            growth.add(rate)
    assert len(growth) >= 10 and min(growth) < 5 < max(growth)


def state():
    return (
        MonthlyFigure.objects.count(),
        Certification.objects.count(),
        sorted(MonthlyFigure.objects.values_list("enterprise_id", "year", "month", "main_revenue")),
    )


@pytest.mark.parametrize("day", [dt.date(2026, 3, 16), dt.date(2027, 8, 2), dt.date(2031, 1, 10)])
def test_the_demo_is_current_on_any_day(day):
    with at(day):
        seed_zones()
        demo.seed()
        check_current(day)
        before = state()
        demo.seed()
        assert state() == before


def test_a_later_seed_rolls_figures_and_certificates_forward():
    with at(dt.date(2026, 3, 16)):
        seed_zones()
        demo.seed()
        kept = MonthlyFigure.objects.filter(year=2026, month=1).count()
    with at(dt.date(2029, 10, 5)):
        demo.seed()
        check_current(dt.date(2029, 10, 5))
        assert MonthlyFigure.objects.filter(year=2026, month=1).count() == kept
