"""Chinese working days: statutory holidays and the 调休 weekend workdays.

Deadlines in appeals, hazards and tasks count working days, not calendar days. The
holiday tables come from chinese-calendar, which knows only the years the State Council
has published; a date outside them is an error, never a guess.
"""

import datetime as dt

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


def calendar_years() -> tuple[int, int]:
    years = {day.year for day in chinese_calendar.constants.holidays}
    return min(years), max(years)


def is_working_day(day: dt.date) -> bool:
    _check(day)
    return chinese_calendar.is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted).

    With ``days == 0`` it is ``start`` if that is a working day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    if days == 0:
        while not is_working_day(current):
            current += dt.timedelta(days=1)
        return current
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days ``end`` lies after ``start``.

    Negative when ``end`` is before ``start``.
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    _check(start)
    _check(end)
    count = len(chinese_calendar.get_workdays(start + dt.timedelta(days=1), end))
    return sign * count
