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


@pytest.fixture
def next_year_file(tmp_path, settings):
    """A year after chinese-calendar's last, as an administrator would enter it."""
    _first, last = calendar.calendar_years()
    year = last + 1
    path = tmp_path / "holidays.csv"
    path.write_text(
        "date,kind,name\n"
        f"{year}-01-01,holiday,元旦\n"
        f"{year}-01-02,holiday,元旦\n"
        f"{year}-01-03,workday,元旦调休\n",
        encoding="utf-8",
    )
    settings.ZONEOPS_HOLIDAYS_FILE = str(path)
    calendar.reload()
    yield year
    settings.ZONEOPS_HOLIDAYS_FILE = ""
    calendar.reload()


def test_an_entered_arrangement_extends_the_calendar(next_year_file):
    year = next_year_file
    assert calendar.calendar_years()[1] == year
    day_off, weekend_workday = D(year, 1, 1), D(year, 1, 3)
    assert not calendar.is_working_day(day_off) and not calendar.is_working_day(D(year, 1, 2))
    assert calendar.is_working_day(weekend_workday)
    # an ordinary day of that year follows the week
    monday = next(D(year, 3, d) for d in range(1, 8) if D(year, 3, d).weekday() == 0)
    assert calendar.is_working_day(monday)
    assert not calendar.is_working_day(monday - dt.timedelta(days=1))
    # a deadline counted across the new year now works instead of failing
    december_last = D(year - 1, 12, 31)
    assert calendar.add_working_days(december_last, 1) > D(year, 1, 2)
    with pytest.raises(calendar.CalendarRangeError):
        calendar.is_working_day(D(year + 1, 6, 1))


def test_a_bad_line_in_the_file_names_its_line(tmp_path, settings):
    path = tmp_path / "holidays.csv"
    path.write_text("2027-01-01,holiday\n2027-13-01,holiday\n", encoding="utf-8")
    settings.ZONEOPS_HOLIDAYS_FILE = str(path)
    calendar.reload()
    try:
        with pytest.raises(ValueError, match="line 2"):
            calendar.calendar_years()
    finally:
        settings.ZONEOPS_HOLIDAYS_FILE = ""
        calendar.reload()
