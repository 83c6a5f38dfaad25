"""Chinese working days: statutory holidays and the 调休 weekend workdays.

Deadlines in appeals, hazards and tasks count working days, not calendar days. The
holiday tables come from chinese-calendar, which knows only the years the State Council
has published; a date outside them is an error, never a guess.
"""

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
                "Update chinese-calendar once the State Council publishes that year's holidays."
            ).format(first=first, last=last, day=day.isoformat())
        )


@cache
def calendar_years() -> tuple[int, int]:
    years = {day.year for day in chinese_calendar.constants.holidays}
    return min(years), max(years)


@cache
def _table() -> tuple[int, list[int]]:
    """(first ordinal, cumulative working days): ``cum[i]`` counts the working days from the
    first covered day up to and including day ``first + i``. Built once; every question
    afterwards is an index or a bisection instead of a walk over days."""
    first_year, last_year = calendar_years()
    first = dt.date(first_year, 1, 1).toordinal()
    last = dt.date(last_year, 12, 31).toordinal()
    cum, count = [], 0
    for ordinal in range(first, last + 1):
        count += chinese_calendar.is_workday(dt.date.fromordinal(ordinal))
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
