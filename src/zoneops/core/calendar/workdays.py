"""Chinese working days: statutory holidays and the 调休 weekend workdays, for any year.

Deadlines in appeals, hazards, tasks and leads count working days, not calendar days. A day is
answered from the first of three sources that knows its year:

1. official: the State Council's notice for the year, entered by the system administrator on
   the 工作日历 page (``HolidayArrangement``/``CalendarDay``) or listed in the file named by
   ZONEOPS_HOLIDAYS_FILE;
2. built in: chinese-calendar's tables (2004 to its last published year);
3. provisional (暂定): the statutory holidays computed by rule (``holidays``' China calendar,
   observed and substituted days left out), weekends as rest days, no 调休.

The notice for next year is published only in November or December, so a deadline reaching
into a year without one is computed provisionally and flagged, never refused. Saving a notice
recomputes the open deadlines it moves (``zoneops.core.calendar.deadlines``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import enum
import io
import time
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar
import holidays
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_YEAR, LAST_YEAR = 2004, 2100

# The seven holidays every notice arranges, in the notice's order.
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


class CalendarRangeError(ValueError):
    """The date lies outside 2004–2100, the years the calendar answers for."""


class Source(enum.StrEnum):
    OFFICIAL = "official"
    BUILTIN = "builtin"
    PROVISIONAL = "provisional"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    Source.OFFICIAL: gettext_lazy("Official"),
    Source.BUILTIN: gettext_lazy("Built in"),
    Source.PROVISIONAL: gettext_lazy("Provisional"),
}


@dataclass(frozen=True)
class ArrangedDay:
    """A day a notice sets apart from the week: off on a weekday, or a working weekend."""

    day: dt.date
    is_workday: bool
    name: str
    year: int  # the notice's year, which may differ from the day's (元旦 2023 on 2022-12-31)
    line: int = 0  # where it was read, for messages


def _check(day: dt.date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarRangeError(
            _("The working-day calendar covers {first}–{last}; {day} is outside it.").format(
                first=FIRST_YEAR, last=LAST_YEAR, day=day.isoformat()
            )
        )


@cache
def builtin_years() -> range:
    years = {day.year for day in chinese_calendar.constants.holidays}
    return range(min(years), max(years) + 1)


@cache
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory days off of ``year`` by rule (全国年节及纪念日放假办法), nothing guessed:
    no 调休 and no 补假 for a holiday falling on a weekend."""
    found: dict[dt.date, str] = {}
    for day, names in holidays.China(years=year, observed=False, language="zh_CN").items():
        kept = [n for n in names.split("; ") if n == "农历除夕" or n in FESTIVALS]
        if kept:
            found[day] = "春节" if kept == ["农历除夕"] else "、".join(kept)
    return found


def festival_day(year: int, festival: str) -> dt.date:
    """The day a festival falls on in ``year`` (春节: 正月初一)."""
    return min(
        day for day, name in statutory_holidays(year).items() if festival in name.split("、")
    )


# ---------------------------------------------------------------------------------------------
# The official days: entered on the page (database) or listed in ZONEOPS_HOLIDAYS_FILE.


def file_days() -> list[ArrangedDay]:
    from django.conf import settings

    path = getattr(settings, "ZONEOPS_HOLIDAYS_FILE", "")
    if not path:
        return []
    with open(path, "rb") as handle:
        days = read_days_file(handle.read(), path.rsplit("/", 1)[-1])
    years = sorted({d.year for d in days})
    for year in years:
        validate_arrangement(year, [d for d in days if d.year == year], where=path)
    return days


def _database_days() -> tuple[list[ArrangedDay], tuple] | None:
    """The days entered on the page and the version they were read at; None when the table
    cannot be read (before ``migrate``)."""
    from django.db import DatabaseError

    from zoneops.core.calendar.models import CalendarDay

    try:
        version = _database_version()
        rows = CalendarDay.objects.values_list("day", "is_workday", "name", "arrangement__year")
        return [ArrangedDay(*row) for row in rows], version
    except DatabaseError:
        return None


def _database_version() -> tuple:
    from django.db.models import Count, Max

    from zoneops.core.calendar.models import HolidayArrangement

    found = HolidayArrangement.objects.aggregate(count=Count("id"), last=Max("entered_at"))
    return (found["count"], found["last"])


# ---------------------------------------------------------------------------------------------
# The table: one cumulative count of working days from 2004-01-01 to 2100-12-31.


@dataclass
class _State:
    official: dict[dt.date, ArrangedDay]
    official_years: frozenset[int]
    cum: array
    version: tuple = ()
    checked_at: float = field(default_factory=time.monotonic)


_FIRST_ORDINAL = dt.date(FIRST_YEAR, 1, 1).toordinal()
_state: _State | None = None


def _is_workday(day: dt.date, official: dict, official_years: frozenset) -> bool:
    arranged = official.get(day)
    if arranged is not None:
        return arranged.is_workday
    if day.year in official_years:
        return day.weekday() < 5
    if day.year in builtin_years():
        if day in chinese_calendar.constants.workdays:
            return True
        return day.weekday() < 5 and day not in chinese_calendar.constants.holidays
    return day not in statutory_holidays(day.year) and day.weekday() < 5


def _build(days: list[ArrangedDay], version: tuple = ()) -> _State:
    official = {d.day: d for d in days}
    official_years = frozenset(d.year for d in days)
    cum, count = array("i"), 0
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    for ordinal in range(_FIRST_ORDINAL, last + 1):
        count += _is_workday(dt.date.fromordinal(ordinal), official, official_years)
        cum.append(count)
    return _State(official=official, official_years=official_years, cum=cum, version=version)


def _recheck_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "ZONEOPS_CALENDAR_RECHECK_SECONDS", 60))


def _current() -> _State:
    """The table, rebuilt when another process has saved a notice since it was read (checked
    at most every ZONEOPS_CALENDAR_RECHECK_SECONDS; 0 turns the check off)."""
    global _state
    state = _state
    if state is None:
        return reload()
    interval = _recheck_seconds()
    if interval and time.monotonic() - state.checked_at > interval:
        state.checked_at = time.monotonic()
        try:
            version = _database_version()
        except Exception:  # noqa: BLE001 - keep answering from the table we have
            return state
        if version != state.version:
            return reload()
    return state


def reload() -> _State:
    """Read the official days again: after a notice is saved, or ZONEOPS_HOLIDAYS_FILE changed."""
    global _state
    loaded = _database_days()
    entered, version = loaded if loaded is not None else ([], ())
    by_day = {d.day: d for d in file_days()}
    by_day.update({d.day: d for d in entered})  # the page outranks the file
    state = _build(list(by_day.values()), version)
    if loaded is not None:
        _state = state
    return state


def use_official_days(days: list[ArrangedDay]) -> None:
    """Answer from these official days without reading the database (tests, previews)."""
    global _state
    _state = _build(days, _state.version if _state else ())


# ---------------------------------------------------------------------------------------------
# The questions.


def year_source(year: int) -> Source:
    if year in _current().official_years:
        return Source.OFFICIAL
    if year in builtin_years():
        return Source.BUILTIN
    return Source.PROVISIONAL


def is_provisional(due: dt.date | None, start: dt.date | None = None) -> bool:
    """Whether a deadline counted from ``start`` to ``due`` crosses a year without a notice."""
    if due is None:
        return False
    first = start.year if start is not None and start < due else due.year
    return any(year_source(year) is Source.PROVISIONAL for year in range(first, due.year + 1))


def day_info(day: dt.date) -> tuple[bool, str]:
    """(is a working day, the holiday's name or '') for the month grid."""
    _check(day)
    state = _current()
    arranged = state.official.get(day)
    if arranged is not None:
        return arranged.is_workday, arranged.name
    working = is_working_day(day)
    if day.year in builtin_years() and day.year not in state.official_years:
        detail = chinese_calendar.get_holiday_detail(day)[1]
        return working, _builtin_name(detail) if detail else ""
    if day.year not in state.official_years:
        return working, statutory_holidays(day.year).get(day, "")
    return working, ""


def _builtin_name(english: str) -> str:
    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利纪念日",
    }
    return names.get(english, english)


def _worked(cum: array, day: dt.date) -> bool:
    index = day.toordinal() - _FIRST_ORDINAL
    return cum[index] - (cum[index - 1] if index else 0) == 1


def is_working_day(day: dt.date) -> bool:
    _check(day)
    return _worked(_current().cum, day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted).

    With ``days == 0`` it is ``start`` if that is a working day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    _check(start)
    cum = _current().cum
    offset = start.toordinal() - _FIRST_ORDINAL
    if days == 0:
        target = (cum[offset - 1] if offset else 0) + 1
        index = bisect_left(cum, target, offset)
    else:
        index = bisect_left(cum, cum[offset] + days, offset + 1)
    if index >= len(cum):
        _check(dt.date(LAST_YEAR + 1, 1, 1))
    return dt.date.fromordinal(_FIRST_ORDINAL + index)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days ``end`` lies after ``start``.

    Negative when ``end`` is before ``start``.
    """
    if end == start:
        return 0
    _check(start)
    _check(end)
    cum = _current().cum
    return cum[end.toordinal() - _FIRST_ORDINAL] - cum[start.toordinal() - _FIRST_ORDINAL]


def calendar_years() -> tuple[int, int]:
    return FIRST_YEAR, LAST_YEAR


# ---------------------------------------------------------------------------------------------
# Reading and checking a year's arrangement.


class ArrangementError(ValueError):
    """What is wrong with an entered arrangement, line by line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def year_window(year: int) -> tuple[dt.date, dt.date]:
    """The days a notice for ``year`` may set: the year and its neighbouring weeks."""
    return dt.date(year - 1, 12, 18), dt.date(year + 1, 1, 14)


def validate_arrangement(year: int, days: list[ArrangedDay], where: str = "") -> None:
    """Refuse a partial or inconsistent year, naming the line and the reason."""
    errors: list[str] = []
    prefix = f"{where}: " if where else ""

    def at(day: ArrangedDay) -> str:
        return prefix + (_("line {line}: ").format(line=day.line) if day.line else "")

    first, last = year_window(year)
    seen: dict[dt.date, ArrangedDay] = {}
    for day in days:
        if day.day in seen:
            errors.append(
                at(day)
                + _("{day} is listed twice (first on line {line}).").format(
                    day=day.day.isoformat(), line=seen[day.day].line
                )
            )
            continue
        seen[day.day] = day
        if not first <= day.day <= last:
            errors.append(
                at(day)
                + _("{day} lies outside {year} and its neighbouring weeks.").format(
                    day=day.day.isoformat(), year=year
                )
            )
        if day.is_workday and day.day.weekday() < 5:
            errors.append(
                at(day)
                + _("the 调休 working day {day} is not a Saturday or Sunday.").format(
                    day=day.day.isoformat()
                )
            )
    off = [d for d in days if not d.is_workday]
    for festival in FESTIVALS:
        ranges = [d for d in off if festival in d.name]
        if not ranges:
            errors.append(
                prefix + _("{year}: {festival} is missing.").format(year=year, festival=festival)
            )
            continue
        expected = festival_day(year, festival)
        if expected not in {d.day for d in ranges}:
            errors.append(
                at(ranges[0])
                + _(
                    "the days off for {festival} do not contain the festival itself ({day})."
                ).format(festival=festival, day=expected.isoformat())
            )
    if errors:
        raise ArrangementError(errors)


COLUMNS = ("date", "kind", "name")
MAX_FILE_LINES = 400  # a year's arrangement is a few dozen lines
_KINDS = {"holiday": False, "workday": True, "放假": False, "休息": False, "上班": True}


def read_days_file(content: bytes, filename: str) -> list[ArrangedDay]:
    """Days from a CSV (UTF-8) or .xlsx file with columns date, kind, name; kind is
    holiday/放假 (a day off) or workday/上班 (a 调休 working weekend)."""
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(content, filename)
    else:
        rows = _csv_rows(content)
    days, errors = [], []
    for number, row in rows:
        cells = [("" if c is None else str(c)).strip() for c in row]
        if not any(cells) or cells[0].startswith("#") or cells[0].lower() in ("date", "日期"):
            continue
        if len(cells) < 3 or not cells[2]:
            errors.append(
                _(
                    "line {line}: expected three columns: date, kind (holiday/workday), name."
                ).format(line=number)
            )
            continue
        try:
            day = dt.date.fromisoformat(cells[0][:10])
        except ValueError:
            errors.append(
                _("line {line}: “{value}” is not a date (YYYY-MM-DD).").format(
                    line=number, value=cells[0]
                )
            )
            continue
        kind = _KINDS.get(cells[1].lower())
        if kind is None:
            errors.append(
                _("line {line}: kind must be holiday or workday, not “{value}”.").format(
                    line=number, value=cells[1]
                )
            )
            continue
        name = cells[2]
        # A day off for 元旦 in December belongs to the next year's notice.
        year = day.year + 1 if day.month == 12 and "元旦" in name else day.year
        days.append(ArrangedDay(day=day, is_workday=kind, name=name, year=year, line=number))
    if errors:
        raise ArrangementError(errors)
    return days


def _csv_rows(content: bytes):
    body = content.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise ArrangementError(
            [
                _(
                    "line {line}: the file is not UTF-8 (perhaps GBK); save it as "
                    "“CSV UTF-8” and upload it again."
                ).format(line=line)
            ]
        ) from None
    return enumerate(csv.reader(io.StringIO(text)), start=1)


def _xlsx_rows(content: bytes, filename: str):
    """The rows of the first sheet, through the one checked spreadsheet reader (size, zip and
    dimension checks before calamine opens it)."""
    from zoneops.core.files import uploads

    try:
        book = uploads.open_workbook(filename, content, max_rows=MAX_FILE_LINES)
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except uploads.UploadRefused as exc:
        raise ArrangementError([str(exc)]) from None
    except Exception:  # noqa: BLE001 - any unreadable file gets the same message
        raise ArrangementError([_("The file is not a readable .xlsx workbook.")]) from None
    if len(rows) > MAX_FILE_LINES:
        raise ArrangementError([_("A year's arrangement has far fewer than 400 lines.")])
    return [
        (number, [c.isoformat()[:10] if isinstance(c, dt.date) else c for c in row[:3]])
        for number, row in enumerate(rows, start=1)
    ]


def differences(year: int, days: list[ArrangedDay]) -> list[tuple[dt.date, bool, bool, str]]:
    """What entering ``days`` as the notice for ``year`` would change: (date, working before,
    working after, name) for each day of the year's window whose answer changes."""
    before = _current()
    kept = [d for d in before.official.values() if d.year != year]
    after = _build([*kept, *days])
    first, last = year_window(year)
    # The window of 2004 or 2100 reaches past the table: only the days it covers.
    first = max(first, dt.date(FIRST_YEAR, 1, 1))
    last = min(last, dt.date(LAST_YEAR, 12, 31))
    changed = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = dt.date.fromordinal(ordinal)
        was, now = _worked(before.cum, day), _worked(after.cum, day)
        if was != now:
            arranged = after.official.get(day)
            changed.append((day, was, now, arranged.name if arranged else ""))
    return changed


def month_grid(year: int, month: int) -> list[list[dict | None]]:
    """Weeks (Monday first) of one month, each day with whether it is worked and why."""
    first = dt.date(year, month, 1)
    cells: list[dict | None] = [None] * first.weekday()
    day = first
    while day.month == month:
        working, name = day_info(day)
        weekend = day.weekday() >= 5
        if working:
            kind = "swap" if weekend else "work"
        else:
            kind = "holiday" if name or not weekend else "weekend"
        cells.append({"day": day, "working": working, "name": name, "kind": kind})
        day += dt.timedelta(days=1)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def days_csv(days: list[ArrangedDay]) -> str:
    """The days as the CSV that ``read_days_file`` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for d in sorted(days, key=lambda d: d.day):
        writer.writerow([d.day.isoformat(), "workday" if d.is_workday else "holiday", d.name])
    return out.getvalue()
