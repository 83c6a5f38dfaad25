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
from dataclasses import asdict, dataclass, field

from zoneops.core.apps_registry import app_modules


@dataclass
class Table:
    headers: list[str]
    rows: list[list]


@dataclass
class Section:
    key: str  # stable, e.g. "indicators.progress": packs are compared section by section
    title: str
    order: int = 50
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Section":
        table = data.get("table")
        return cls(
            key=data["key"],
            title=data["title"],
            order=data.get("order", 50),
            paragraphs=list(data.get("paragraphs", [])),
            table=Table(**table) if table else None,
        )


@dataclass
class Panel:
    key: str
    title: str
    value: object
    unit: str = ""
    note: str = ""
    url: str = ""  # drill-down to the records behind the figure
    status: str = "ok"  # ok / warn / bad: colours the panel
    chart: dict | None = None  # an ECharts option
    order: int = 50


def zone_ids(zones) -> list[int]:
    """The primary keys of ``panels()``'s zones, read once for all panels.

    Filter with ``zone_id__in=zone_ids(zones)``: the database then plans with the actual zones
    (an index for one zone's few rows, a scan for a province) where a subquery of zones, e.g.
    a path prefix, is planned without knowing them and scans every row of every zone.
    """
    if not hasattr(zones, "values_list"):
        return [getattr(zone, "pk", zone) for zone in zones]
    ids = getattr(zones, "_zoneops_zone_ids", None)
    if ids is None:
        ids = zones._zoneops_zone_ids = list(zones.values_list("pk", flat=True))
    return ids


def _call_all(function: str, *args) -> list:
    found = []
    for _app, module in app_modules("reporting"):
        if hasattr(module, function):
            found.extend(getattr(module, function)(*args))
    return sorted(found, key=lambda item: (item.order, item.key))


def latest_period(zones, *, today: dt.date) -> tuple[int, int] | None:
    """The most recent month, up to ``today``'s, for which an app has figures in ``zones``:
    each app's ``reporting.latest_period(zones, today=...)``, if it has one."""
    found = []
    for _app, module in app_modules("reporting"):
        if hasattr(module, "latest_period"):
            period = module.latest_period(zones, today=today)
            if period:
                found.append(tuple(period))
    return max(found) if found else None


def collect_panels(zones, year: int, month: int, user) -> list[Panel]:
    return _call_all("panels", zones, year, month, user)


def collect_sections(zone, year: int, month: int, user) -> list[Section]:
    return _call_all("sections", zone, year, month, user)


def period_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)
