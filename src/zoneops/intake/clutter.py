"""Turning a page's text into the article: simplified characters, no page furniture.

Traditional characters are converted with OpenCC (t2s); navigation, share buttons, copyright
and contact footers, phone numbers and ruby (pinyin) annotations are removed by the patterns
in ``data/clutter.yaml``. The article's date is read before the furniture goes.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from zoneops.intake import data

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_SPACES = re.compile(r"[\u00a0\u2002\u2003\u2009\u3000\t ]+")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


@cache
def _patterns():
    rules = data.clutter()
    return (
        re.compile("|".join(f"(?:{p})" for p in rules["lines"])),
        re.compile("|".join(f"(?:{p})" for p in rules["stop"])),
        re.compile("|".join(f"(?:{p})" for p in rules["inline"])),
    )


@dataclass
class Cleaned:
    text: str
    date: dt.date | None = None
    removed: list[str] = field(default_factory=list)


def find_date(text: str, head_lines: int = 12) -> dt.date | None:
    """The first full date in the first lines of a page (where sites print it)."""
    for line in text.split("\n")[:head_lines]:
        match = _DATE.search(line)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def normalise(text: str) -> str:
    text = to_simplified(text).translate(_FULLWIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    inline = _patterns()[2]
    text = inline.sub("", text)
    # An ASCII "?" inside Chinese text is a character the page lost, unless it ends a line.
    text = re.sub(r"\?+(?!\s*(?:\n|$))", "", text)
    text = _SPACES.sub(" ", text)
    return _CJK_SPACE.sub("", text)


def clean(text: str) -> Cleaned:
    text = normalise(text)
    date = find_date(text)
    line_re, stop_re, _inline = _patterns()
    kept, removed = [], []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if stop_re.search(line):
            removed.append(line)
            break
        if line_re.fullmatch(line):
            removed.append(line)
            continue
        kept.append(line)
    return Cleaned(text="\n".join(kept), date=date, removed=removed)
