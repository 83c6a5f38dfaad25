"""The indicators' section of the start page: the months whose indicator values wait for the
user's approval (``core.registries.start_page``), as enterprises adds those of its figures."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, role_may
from zoneops.core.models import Zone
from zoneops.core.registries import start_page
from zoneops.indicators.models import IndicatorValue, MonthClose

MONTHS = 3  # the months before this one that a start page asks about


def months_awaiting_close(user, today: dt.date) -> list[tuple[Zone, int, int]]:
    """(zone, year, month) of the user's granted zones with values entered for one of the
    last ``MONTHS`` months (before ``today``'s) and the month not approved (locked). Three
    queries, whatever the number of zones and values."""
    periods = []
    year, month = today.year, today.month
    for _step in range(MONTHS):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        periods.append((year, month))
    zones = list(
        user.zones.all() if not user.is_zone_admin else Zone.objects.filter(parent__isnull=True)
    )
    if not zones:
        return []
    in_periods = Q()
    for year, month in periods:
        in_periods |= Q(year=year, month=month)
    entered = set(
        IndicatorValue.objects.filter(in_periods, zone__in=zones)
        .values_list("zone_id", "year", "month")
        .distinct()
    )
    locked = set(
        MonthClose.objects.filter(in_periods, zone__in=zones, is_locked=True).values_list(
            "zone_id", "year", "month"
        )
    )
    return [
        (zone, year, month)
        for year, month in periods
        for zone in zones
        if (zone.pk, year, month) in entered and (zone.pk, year, month) not in locked
    ]


def months_to_close(user, today: dt.date) -> start_page.StartBlock | None:
    """None for a role that approves no month: the section is then left out."""
    if not role_may(user, ADD, MonthClose):
        return None
    found = months_awaiting_close(user, today)
    url = reverse("indicators:monthclose_add")
    items = [
        start_page.StartItem(
            text=_("{zone}: indicators of {year}-{month:02d}").format(
                zone=zone.name, year=year, month=month
            ),
            url=url,
        )
        for zone, year, month in found[: start_page.SHOWN]
    ]
    return start_page.StartBlock(
        items=items,
        total=len(found),
        more_url=reverse("indicators:monthclose_list"),
        empty=gettext_lazy("No month's indicator values wait for approval."),
    )


def register() -> None:
    start_page.register(
        start_page.StartSection(
            "indicators.months_to_close",
            gettext_lazy("Indicator months awaiting approval"),
            months_to_close,
            order=25,
        )
    )
