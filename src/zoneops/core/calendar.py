"""Chinese working days: statutory holidays and the 调休 weekend workdays.

Deadlines in appeals, hazards and tasks count working days, not calendar days. The
holiday tables come from chinese-calendar, which knows only the years the State Council
has published; a date outside them is an error, never a guess.

When the State Council has published a year that chinese-calendar does not know yet, an
administrator puts its arrangement in a CSV file named by ZONEOPS_HOLIDAYS_FILE: one line
per day, ``date,kind,name`` with kind ``holiday`` (a day off on a weekday) or ``workday``
(a 调休 weekend workday). Every year listed in the file is then covered; other days of those
years are working days from Monday to Friday.
"""

import csv
import datetime as dt
from bisect import bisect_left
from functools import cache

import chinese_calendar
from django.utils.translation import gettext as _


class CalendarRangeError(ValueError):
    """The date lies outside the years whose holiday arrangement is published."""


def _check(day: dt.date) -> None:
    first, last = calendar_years()
    if not first <= day.year <= last:
        raise CalendarRangeError(
            _(
                "The working-day calendar covers {first}–{last}; {day} is outside it. "
                "Update chinese-calendar, or add the State Council's arrangement for that year to "
                "the file named by ZONEOPS_HOLIDAYS_FILE."
            ).format(first=first, last=last, day=day.isoformat())
        )


@cache
def extra_arrangements() -> dict[dt.date, bool]:
    """Days from ZONEOPS_HOLIDAYS_FILE: date → is a working day."""
    from django.conf import settings

    path = getattr(settings, "ZONEOPS_HOLIDAYS_FILE", "")
    if not path:
        return {}
    days: dict[dt.date, bool] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or row[0].strip().lower() in ("", "date") or row[0].startswith("#"):
                continue
            try:
                day = dt.date.fromisoformat(row[0].strip())
                kind = row[1].strip().lower()
            except (ValueError, IndexError):
                raise ValueError(
                    f"{path}, line {number}: expected 'YYYY-MM-DD,holiday|workday'"
                ) from None
            if kind not in ("holiday", "workday"):
                raise ValueError(f"{path}, line {number}: kind must be 'holiday' or 'workday'")
            days[day] = kind == "workday"
    return days


@cache
def calendar_years() -> tuple[int, int]:
    years = {day.year for day in chinese_calendar.constants.holidays}
    first, last = min(years), max(years)
    # Years from the file extend the range only without a gap.
    extra_years = {day.year for day in extra_arrangements()}
    while last + 1 in extra_years:
        last += 1
    return first, last


def reload() -> None:
    """Read the calendar again (after ZONEOPS_HOLIDAYS_FILE changed)."""
    for cached in (extra_arrangements, calendar_years, _table):
        cached.cache_clear()


def _is_workday(day: dt.date, known_until: int) -> bool:
    extra = extra_arrangements()
    if day in extra:
        return extra[day]
    if day.year > known_until:
        return day.weekday() < 5
    return chinese_calendar.is_workday(day)


@cache
def _table() -> tuple[int, list[int]]:
    """(first ordinal, cumulative working days): ``cum[i]`` counts the working days from the
    first covered day up to and including day ``first + i``. Built once; every question
    afterwards is an index or a bisection instead of a walk over days."""
    first_year, last_year = calendar_years()
    known_until = max(day.year for day in chinese_calendar.constants.holidays)
    first = dt.date(first_year, 1, 1).toordinal()
    last = dt.date(last_year, 12, 31).toordinal()
    cum, count = [], 0
    for ordinal in range(first, last + 1):
        count += _is_workday(dt.date.fromordinal(ordinal), known_until)
        cum.append(count)
    return first, cum


def _cum(day: dt.date) -> int:
    first, cum = _table()
    return cum[day.toordinal() - first]


def is_working_day(day: dt.date) -> bool:
    _check(day)
    first, cum = _table()
    index = day.toordinal() - first
    return cum[index] - (cum[index - 1] if index else 0) == 1


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted).

    With ``days == 0`` it is ``start`` if that is a working day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    _check(start)
    first, cum = _table()
    if days == 0:
        target = cum[start.toordinal() - first - 1] + 1 if start.toordinal() > first else 1
        index = bisect_left(cum, target, start.toordinal() - first)
    else:
        index = bisect_left(cum, _cum(start) + days, start.toordinal() - first + 1)
    if index >= len(cum):
        # Past the last published year: the same clear error as for a date outside it.
        _check(dt.date.fromordinal(first + len(cum)))
    return dt.date.fromordinal(first + index)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days ``end`` lies after ``start``.

    Negative when ``end`` is before ``start``.
    """
    if end == start:
        return 0
    _check(start)
    _check(end)
    return _cum(end) - _cum(start)
