"""What the dashboard and the dispatch pack are made of, contributed by every app.

Each app may have a ``reporting.py`` with

    def panels(zones, year, month, user) -> list[Panel]          # the dashboard (驾驶舱)
    def sections(zone, year, month, user) -> list[Section]       # the dispatch pack (调度通报)

``zones`` is a queryset of the zones the figure covers (a zone with its sub-zones, or every
zone the user can see); ``zone`` is the pack's zone, whose sub-zones are included. Panels
filter with ``zone_id__in=zone_ids(zones)`` and count in the database, in a fixed number of
queries however many zones there are (``reports/tests/test_dashboard_panels.py``).
"""

import datetime as dt

from django.utils import timezone

from zoneops.core.db import versions
from zoneops.core.registries import background
from zoneops.core.registries.app_modules import app_modules
from zoneops.core.registries.panels import (  # noqa: F401  (the registry's vocabulary, defined in core)
    Panel,
    Section,
    Table,
    period_end,
    zone_ids,
)


def _call_all(function: str, *args) -> list:
    found = []
    for _app, module in app_modules("reporting"):
        if hasattr(module, function):
            found.extend(getattr(module, function)(*args))
    return sorted(found, key=lambda item: (item.order, item.key))


def _zone_key(zones) -> tuple[int, ...]:
    return tuple(sorted(zones.values_list("pk", flat=True)))


def latest_period(zones, *, today: dt.date) -> tuple[int, int] | None:
    """The most recent month, up to ``today``'s, for which an app has figures in ``zones``:
    each app's ``reporting.latest_period(zones, today=...)``, if it has one (kept until the
    data changes)."""
    return versions.cached(
        "latest_period",
        lambda: (_zone_key(zones), today),
        lambda: _latest_period(zones, today=today),
    )


def _latest_period(zones, *, today: dt.date) -> tuple[int, int] | None:
    found = []
    for _app, module in app_modules("reporting"):
        if hasattr(module, "latest_period"):
            period = module.latest_period(zones, today=today)
            if period:
                found.append(tuple(period))
    return max(found) if found else None


def collect_panels(zones, year: int, month: int, user) -> list[Panel]:
    """Every app's panels for ``zones`` and the month, kept until the data changes (a
    province's dashboard is read by everyone at month-end and computed once per change).
    The key holds what panels depend on besides the data: the zones, the month, the role and
    today (overdue counts)."""
    return versions.cached(
        "dashboard_panels",
        lambda: (_zone_key(zones), year, month, getattr(user, "role", None), timezone.localdate()),
        lambda: _call_all("panels", zones, year, month, user),
    )


def collect_sections(zone, year: int, month: int, user) -> list[Section]:
    """Every app's sections; in a job, one step of progress per app (and one more for the
    caller's writing of the files: ``pack_steps``)."""
    modules = [module for _app, module in app_modules("reporting") if hasattr(module, "sections")]
    found = []
    for done, module in enumerate(modules):
        background.report(done, len(modules) + 1, background.WORKING)
        found.extend(module.sections(zone, year, month, user))
    return sorted(found, key=lambda item: (item.order, item.key))


def pack_steps() -> int:
    """The steps ``collect_sections`` reports, the files included."""
    return sum(1 for _app, module in app_modules("reporting") if hasattr(module, "sections")) + 1
