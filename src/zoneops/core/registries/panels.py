"""The vocabulary of the dashboard (驾驶舱) and the dispatch pack (调度通报): what each app's
``reporting.py`` returns. It lives in core so that the apps contribute without importing
``reports``, which collects them (``reports.registry``).
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

# A pack is read in a meeting: its tables list the most pressing rows, the system the rest.
# The rows a pack's table shows at most; a section may read only these from the database and
# state how many there are in all (``Table.total``).
MAX_TABLE_ROWS = 200


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    total: int | None = None  # rows in all when ``rows`` are only the first ones


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


def period_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)
