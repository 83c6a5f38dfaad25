import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from zoneops.core.calendar import workdays as calendar
from zoneops.core.calendar.notice import parse_notice

D = dt.date
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The assertions below read the messages' English source; the product shows them in Chinese.
    from django.utils import translation

    with translation.override("en"):
        yield


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


def test_the_built_in_years_agree_with_chinese_calendar_day_by_day():
    day = D(2004, 1, 1)
    while day.year <= calendar.builtin_years()[-1]:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_a_year_without_a_notice_is_provisional_with_the_statutory_days_only():
    # 2031: no library knows its notice. 春节 by rule: 除夕 Jan 22 to 初三 Jan 25 (Wed–Sat).
    assert calendar.year_source(2031) is calendar.Source.PROVISIONAL
    assert calendar.year_source(2025) is calendar.Source.BUILTIN
    assert [calendar.is_working_day(D(2031, 1, d)) for d in range(21, 28)] == [
        True,  # Tue 21
        False,  # Wed 22 除夕
        False,  # Thu 23 初一
        False,  # Fri 24
        False,  # Sat 25 初三 (a Saturday: no 补假 is guessed)
        False,  # Sun 26
        True,  # Mon 27
    ]
    # National Day and 中秋 share Oct 1 in 2031: three statutory days, no 调休 weekend.
    assert not calendar.is_working_day(D(2031, 10, 3))
    assert calendar.is_working_day(D(2031, 10, 6))
    assert calendar.add_working_days(D(2031, 1, 21), 1) == D(2031, 1, 27)
    assert calendar.is_provisional(D(2031, 2, 3))
    assert calendar.is_provisional(D(2031, 1, 3), start=D(2025, 12, 20))
    assert not calendar.is_provisional(D(2025, 10, 9), start=D(2025, 9, 30))


def test_every_date_from_2004_to_2100_is_answered():
    for year in (2004, 2027, 2050, 2100):
        assert calendar.add_working_days(D(year, 1, 1), 0).year == year
    assert calendar.add_working_days(D(2100, 12, 1), 10) == D(2100, 12, 15)
    assert calendar.working_days_between(D(2026, 12, 25), D(2027, 1, 8)) == 9  # 元旦 off
    with pytest.raises(calendar.CalendarRangeError, match="2004–2100"):
        calendar.is_working_day(D(2003, 6, 1))
    with pytest.raises(calendar.CalendarRangeError):
        calendar.add_working_days(D(2100, 12, 30), 5)


NOTICE_2025 = {
    "off": [
        D(2025, 1, 1),
        *[D(2025, 1, 28) + dt.timedelta(n) for n in range(8)],
        D(2025, 4, 4),
        D(2025, 4, 5),
        D(2025, 4, 6),
        *[D(2025, 5, d) for d in range(1, 6)],
        D(2025, 5, 31),
        D(2025, 6, 1),
        D(2025, 6, 2),
        *[D(2025, 10, d) for d in range(1, 9)],
    ],
    "work": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
}
NOTICE_2026 = {
    "off": [
        D(2026, 1, 1),
        D(2026, 1, 2),
        D(2026, 1, 3),
        *[D(2026, 2, d) for d in range(15, 24)],
        D(2026, 4, 4),
        D(2026, 4, 5),
        D(2026, 4, 6),
        *[D(2026, 5, d) for d in range(1, 6)],
        D(2026, 6, 19),
        D(2026, 6, 20),
        D(2026, 6, 21),
        D(2026, 9, 25),
        D(2026, 9, 26),
        D(2026, 9, 27),
        *[D(2026, 10, d) for d in range(1, 8)],
    ],
    "work": [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ],
}


@pytest.mark.parametrize("year,expected", [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_the_notice_text_gives_exactly_the_published_days(year, expected):
    text = (DATA / f"notice_{year}.txt").read_text(encoding="utf-8")
    days = parse_notice(text, year)
    assert sorted(d.day for d in days if not d.is_workday) == sorted(expected["off"])
    assert sorted(d.day for d in days if d.is_workday) == sorted(expected["work"])
    calendar.validate_arrangement(year, days)
    # chinese-calendar, which ships these years, agrees with the notice day by day
    for day in expected["off"]:
        assert not chinese_calendar.is_workday(day), day
    for day in expected["work"]:
        assert chinese_calendar.is_workday(day), day
    # one item naming two holidays (2025: 六、国庆节、中秋节) counts for both
    names = {d.name for d in days if d.day == D(year, 10, 2)}
    assert any("国庆节" in n for n in names)


def test_a_notice_may_set_days_of_the_previous_year():
    text = "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。"
    days = parse_notice(text, 2023)
    assert [d.day for d in days] == [D(2022, 12, 31), D(2023, 1, 1), D(2023, 1, 2)]
    assert {d.year for d in days} == {2023}


def test_a_text_that_is_no_notice_is_refused():
    with pytest.raises(calendar.ArrangementError, match="No holiday items found"):
        parse_notice("关于做好年终安全生产工作的通知：各单位要加强巡查。", 2027)


def test_a_notice_for_another_year_is_refused():
    text = (DATA / "notice_2025.txt").read_text(encoding="utf-8")
    with pytest.raises(calendar.ArrangementError, match="for 2025, not for 2027"):
        parse_notice(text, 2027)


def _days_2025():
    text = (DATA / "notice_2025.txt").read_text(encoding="utf-8")
    return parse_notice(text, 2025)


def test_a_year_missing_a_holiday_is_refused_naming_it():
    days = [d for d in _days_2025() if "端午" not in d.name]
    with pytest.raises(calendar.ArrangementError, match="端午节 is missing"):
        calendar.validate_arrangement(2025, days)


def test_a_weekday_workday_a_wrong_range_and_duplicates_are_refused_with_their_line():
    days = _days_2025()
    bad = [
        *days,
        calendar.ArrangedDay(D(2025, 3, 5), True, "调休", 2025, line=40),  # a Wednesday
        calendar.ArrangedDay(D(2025, 4, 4), False, "清明节", 2025, line=41),  # twice
        calendar.ArrangedDay(D(2026, 3, 1), False, "元旦", 2025, line=42),
    ]
    with pytest.raises(calendar.ArrangementError) as info:
        calendar.validate_arrangement(2025, bad)
    text = str(info.value)
    assert "line 40" in text and "not a Saturday or Sunday" in text
    assert "line 41" in text and "listed twice" in text
    assert "line 42" in text and "outside 2025" in text
    moved = [d for d in days if "中秋" not in d.name and "国庆" not in d.name]
    moved.append(calendar.ArrangedDay(D(2025, 9, 1), False, "中秋节", 2025, line=7))
    moved.append(calendar.ArrangedDay(D(2025, 10, 1), False, "国庆节", 2025, line=7))
    with pytest.raises(calendar.ArrangementError, match="line 7: the days off for 中秋节"):
        calendar.validate_arrangement(2025, moved)


def _file(tmp_path, text: str, encoding="utf-8"):
    path = tmp_path / "holidays.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _csv_of(days) -> str:
    lines = ["date,kind,name"]
    for d in days:
        lines.append(f"{d.day.isoformat()},{'workday' if d.is_workday else 'holiday'},{d.name}")
    return "\n".join(lines) + "\n"


def test_a_csv_file_names_the_line_of_a_gbk_byte_or_a_missing_column():
    with pytest.raises(calendar.ArrangementError, match="line 2: the file is not UTF-8"):
        calendar.read_days_file("date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"), "x.csv")
    with pytest.raises(calendar.ArrangementError, match="line 2: expected three columns"):
        calendar.read_days_file(b"date,kind,name\n2027-01-01,holiday\n", "x.csv")
    with pytest.raises(calendar.ArrangementError, match="line 3: .*not a date"):
        calendar.read_days_file(
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,元旦\n".encode(),
            "x.csv",
        )


@pytest.mark.django_db
def test_the_holidays_file_sets_an_official_year(tmp_path, settings):
    """A complete year in ZONEOPS_HOLIDAYS_FILE (here 2031, shifted from a real notice's
    shape: 春节 Jan 22–28 with Sun Jan 19 and Sat Feb 8 worked) outranks the provisional rule."""
    days = [
        calendar.ArrangedDay(D(2031, 1, 1), False, "元旦", 2031),
        *[calendar.ArrangedDay(D(2031, 1, d), False, "春节", 2031) for d in range(22, 29)],
        calendar.ArrangedDay(D(2031, 1, 19), True, "春节调休", 2031),
        calendar.ArrangedDay(D(2031, 2, 8), True, "春节调休", 2031),
        calendar.ArrangedDay(D(2031, 4, 5), False, "清明节", 2031),
        calendar.ArrangedDay(D(2031, 5, 1), False, "劳动节", 2031),
        calendar.ArrangedDay(D(2031, 6, 24), False, "端午节", 2031),
        calendar.ArrangedDay(D(2031, 10, 1), False, "国庆节、中秋节", 2031),
    ]
    settings.ZONEOPS_HOLIDAYS_FILE = str(_file(tmp_path, _csv_of(days)))
    calendar.reload()
    assert calendar.year_source(2031) is calendar.Source.OFFICIAL
    assert calendar.is_working_day(D(2031, 1, 19))  # a Sunday, worked
    assert not calendar.is_working_day(D(2031, 1, 28))  # a Tuesday, off
    assert calendar.is_working_day(D(2031, 10, 2))  # the file's year has no statutory guess
    assert not calendar.is_provisional(D(2031, 3, 3))


@pytest.mark.django_db
def test_a_partial_year_in_the_holidays_file_is_refused_at_start_up(tmp_path, settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.ZONEOPS_HOLIDAYS_FILE = str(
        _file(tmp_path, "date,kind,name\n2031-01-01,holiday,元旦\n2031-01-02,holiday,元旦\n")
    )
    with pytest.raises(SystemCheckError, match=r"zoneops.E002.*2031.*春节"):
        call_command("check")


def test_an_xlsx_file_is_read_through_the_checked_reader_with_typed_dates():
    from zoneops.core.ui.testing import xlsx_bytes

    content = xlsx_bytes(
        ["日期", "类型", "名称"],
        [[D(2030, 12, 31), "放假", "元旦"], ["2031-01-19", "上班", "春节调休"]],
    )
    days = calendar.read_days_file(content, "2031.xlsx")
    assert [(d.day, d.is_workday, d.year, d.line) for d in days] == [
        (D(2030, 12, 31), False, 2031, 2),  # 元旦 in December belongs to the next year's notice
        (D(2031, 1, 19), True, 2031, 3),
    ]
    # a broken file is refused by the upload checks before any reader opens it
    with pytest.raises(calendar.ArrangementError, match="not a valid Office file"):
        calendar.read_days_file(b"PK\x03\x04 not a workbook", "2031.xlsx")


def test_the_differences_of_the_first_year_stay_inside_the_table():
    # 2004's window starts in December 2003, before the table: it must not wrap around
    assert all(day.year >= 2004 for day, *_ in calendar.differences(2004, []))
