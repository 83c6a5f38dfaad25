import datetime as dt

import pytest

from zoneops.core import calendar

D = dt.date


def test_national_day_2025_week_is_skipped():
    # 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are 调休 workdays.
    assert calendar.is_working_day(D(2025, 9, 28))
    assert not calendar.is_working_day(D(2025, 10, 1))
    assert not calendar.is_working_day(D(2025, 10, 8))
    assert calendar.is_working_day(D(2025, 10, 11))
    assert calendar.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert calendar.add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert calendar.add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)


def test_zero_days_is_the_next_working_day():
    assert calendar.add_working_days(D(2025, 10, 4), 0) == D(2025, 10, 9)
    assert calendar.add_working_days(D(2025, 10, 9), 0) == D(2025, 10, 9)


def test_working_days_between():
    assert calendar.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert calendar.working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert calendar.working_days_between(D(2025, 9, 26), D(2025, 10, 16)) == 10
    assert calendar.working_days_between(D(2025, 10, 1), D(2025, 10, 1)) == 0


def test_spring_festival_2026():
    # 2026 Spring Festival: Feb 15–23 off, Sat Feb 14 and Sat Feb 28 are workdays.
    assert calendar.is_working_day(D(2026, 2, 14))
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_dates_outside_the_calendar_are_a_clear_error():
    first, last = calendar.calendar_years()
    with pytest.raises(calendar.CalendarRangeError) as info:
        calendar.add_working_days(D(last, 12, 30), 5)
    assert str(last) in str(info.value)
    with pytest.raises(calendar.CalendarRangeError):
        calendar.is_working_day(D(first - 1, 6, 1))
