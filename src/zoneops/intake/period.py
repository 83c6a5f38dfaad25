"""Periods: explicit years, 今年/去年/前三季度 resolved from the article's date, plan ranges.

A period is a string: ``"2024"``, ``"2021-2025"`` (a range of years), ``"2025Q1-Q3"`` (year to
date after the third quarter), ``"2025H1"`` or ``"2025Q4"``.
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from zoneops.intake import data
from zoneops.intake.numerals import cn_to_number

_CN = "〇零一二两三四五六七八九十"


@dataclass(frozen=True, slots=True)
class PeriodMention:
    start: int
    end: int
    period: str | None
    years: tuple[int, ...] = ()  # for 过去五年 / 近五年: the years in order


@cache
def _pattern() -> re.Pattern:
    plans = data.alternation(data.periods()["plans"])
    return re.compile(
        rf"(?P<range>(?:19|20)\d{{2}})\s*[-—–~至到]\s*(?P<range_end>(?:19|20)\d{{2}})年"
        rf"|(?P<year>(?:19|20)\d{{2}})年(?!\d)"
        rf"|(?P<cnyear>[〇零一二三四五六七八九]{{4}})年"
        rf"|(?P<plan>{plans})"
        rf"|(?P<span>过去|近|最近)(?P<span_n>\d+|[{_CN}]+)年(?!来)"
        rf"|(?P<since_n>\d+|[{_CN}]+)年来"
        rf"|(?P<ytd>今年以来|年初以来|本年以来)"
        rf"|(?P<q3>前三季度|前3季度)|(?P<h1>上半年|前两季度)|(?P<q1>一季度|第一季度)"
        rf"|(?P<q4>四季度|第四季度)"
        rf"|(?P<this>今年|年内|全年|本年|当年|年度)"
        rf"|(?P<last>去年|上年|上一年)|(?P<before_last>前年)|(?P<next>明年|来年)"
    )


def _n(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    value = cn_to_number(text)
    return int(value) if value is not None else None


def mentions(sentence: str, year: int | None) -> list[PeriodMention]:
    """Every period expression in a sentence, resolved against the article's year."""
    out = []
    plans = data.periods()["plans"]
    for m in _pattern().finditer(sentence):
        kind = m.lastgroup
        period, years = None, ()
        if m["range"]:
            period = f"{m['range']}-{m['range_end']}"
        elif m["year"]:
            period = m["year"]
        elif m["cnyear"]:
            period = "".join(
                str("〇一二三四五六七八九".find(c) if c != "零" else 0) for c in m["cnyear"]
            )
        elif m["plan"]:
            first, last = plans[m["plan"]]
            period = f"{first}-{last}"
        elif m["span"] and year is not None:
            n = _n(m["span_n"])
            if n and n < 50:
                if m["span"] == "过去":
                    years = tuple(range(year - n, year))
                else:
                    years = tuple(range(year - n + 1, year + 1))
                period = f"{years[0]}-{years[-1]}"
        elif m["since_n"] and year is not None:
            n = _n(m["since_n"])
            if n and n < 50:
                period = f"{year - n}-{year}"
        elif year is not None:
            period = {
                "ytd": f"{year}",
                "q3": f"{year}Q1-Q3",
                "h1": f"{year}H1",
                "q1": f"{year}Q1",
                "q4": f"{year}Q4",
                "this": f"{year}",
                "last": f"{year - 1}",
                "before_last": f"{year - 2}",
                "next": f"{year + 1}",
            }.get(kind)
        out.append(PeriodMention(m.start(), m.end(), period, years))
    return out


def infer_year(title: str, text: str, date: dt.date | None) -> int | None:
    """The article's year: its date, else the latest event it names, else a year in its title."""
    if date is not None:
        return date.year
    hints = data.periods()["date_hints"]
    found = [year for phrase, year in hints.items() if phrase in text]
    title_years = [int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", title)]
    title_years += [
        int("".join(str("〇一二三四五六七八九".find(c)) if c != "零" else "0" for c in y))
        for y in re.findall(r"[一二][〇零一二三四五六七八九]{3}", title)
    ]
    candidates = found + title_years
    if candidates:
        return max(candidates)
    counts: dict[str, int] = {}
    for p in mentions(text[:2000], None):
        if p.period and p.period.isdigit():
            counts[p.period] = counts.get(p.period, 0) + 1
    if counts:
        return int(max(counts, key=counts.get))
    return None


_ENDS = {"Q1-Q3": 9, "H1": 6, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}


def is_past(period: str | None, year: int | None, date: dt.date | None = None) -> bool:
    """Whether the period was over when the article was written (前三季度 in October is)."""
    if not period or year is None:
        return False
    match = re.match(r"(\d{4})(?:-(\d{4}))?(Q1-Q3|H1|Q[1-4])?$", period)
    if not match:
        return False
    last = int(match[2] or match[1])
    if last < year:
        return True
    if match[3] and date is not None and last == date.year:
        return date.month > _ENDS[match[3]]
    return False
