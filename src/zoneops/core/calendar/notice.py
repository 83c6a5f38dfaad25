"""Reads the text of the State Council's holiday notice
(国务院办公厅关于YYYY年部分节假日安排的通知).

The notice numbers one item per holiday, e.g.::

    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
    1月26日（周日）、2月8日（周六）上班。

An item may name two holidays (六、国庆节、中秋节：…), and a date may carry its own year
(2022年12月31日至2023年1月2日放假调休). The result is the days off and the 调休 working days,
each with the line it was read on; ``calendar.validate_arrangement`` then checks the year.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from zoneops.core.calendar.workdays import FESTIVALS, ArrangedDay, ArrangementError

_NUMERALS = "一二三四五六七八九十"
_ITEM = re.compile(rf"(?:^|[\s。；;])([{_NUMERALS}]{{1,2}})、\s*([^：:\n]{{2,20}}?)\s*[：:]")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排")
# 1月28日 / 2022年12月31日 / 6日 (month from the previous date), each maybe followed by （周二）.
_DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\s*[（(][^）)]*[）)])?"
_RANGE = re.compile(rf"{_DATE}(?:\s*至\s*{_DATE})?\s*放假")
_WORKDAYS = re.compile(rf"((?:{_DATE}\s*[、，,和及]?\s*)+)上班")
_ONE_DATE = re.compile(_DATE)


def notice_year(text: str) -> int | None:
    found = _TITLE_YEAR.search(text)
    return int(found.group(1)) if found else None


def parse_notice(text: str, year: int) -> list[ArrangedDay]:
    """The days a notice for ``year`` sets; ArrangementError names each line it cannot read."""
    text = text.replace("\r\n", "\n").replace("\u3000", " ")
    stated = notice_year(text)
    if stated is not None and stated != year:
        raise ArrangementError(
            [_("The notice is for {stated}, not for {year}.").format(stated=stated, year=year)]
        )
    items = list(_ITEM.finditer(text))
    items = [m for m in items if any(f in m.group(2) for f in FESTIVALS)]
    if not items:
        raise ArrangementError(
            [
                _(
                    "No holiday items found: paste the notice's text, whose items read like "
                    "“一、元旦：1月1日（周三）放假1天，不调休。”."
                )
            ]
        )
    days: list[ArrangedDay] = []
    errors: list[str] = []
    for index, item in enumerate(items):
        end = items[index + 1].start() if index + 1 < len(items) else len(text)
        body = text[item.end() : end]
        line = text.count("\n", 0, item.start(2)) + 1
        name = "、".join(f for f in FESTIVALS if f in item.group(2))
        try:
            days.extend(_item_days(body, name, year, line))
        except ValueError as exc:
            errors.append(_("line {line}: {reason}").format(line=line, reason=exc))
    if errors:
        raise ArrangementError(errors)
    return days


def _item_days(body: str, name: str, year: int, line: int) -> list[ArrangedDay]:
    found = _RANGE.search(body)
    if found is None:
        raise ValueError(_("no “…放假” range found for {name}.").format(name=name))
    groups = found.groups()
    start = _date(groups[0:3], year, None, name)
    end = _date(groups[3:6], year, start, name) if groups[5] else start
    if end < start:
        raise ValueError(_("{name}'s range ends before it begins.").format(name=name))
    days = [
        ArrangedDay(start + dt.timedelta(n), False, name, year, line)
        for n in range((end - start).days + 1)
    ]
    for work in _WORKDAYS.finditer(body):
        previous = None
        for one in _ONE_DATE.finditer(work.group(1)):
            previous = _date(one.groups(), year, previous, name)
            days.append(ArrangedDay(previous, True, f"{name}调休", year, line))
    return days


def _date(groups, year: int, previous: dt.date | None, name: str) -> dt.date:
    stated_year, month, day = groups
    if month is None and previous is None:
        raise ValueError(_("a date of {name} has no month.").format(name=name))
    use_year = int(stated_year) if stated_year else (previous.year if previous else year)
    use_month = int(month) if month else previous.month
    try:
        return dt.date(use_year, use_month, int(day))
    except ValueError:
        raise ValueError(
            _("{year}-{month}-{day} is not a date.").format(year=use_year, month=use_month, day=day)
        ) from None
