"""Reading one cell of a sheet: amounts, dates and whole numbers as people type them."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


def _norm(text: str) -> str:
    text = str(text).strip().lower().rstrip("*")
    for wide, narrow in (("（", "("), ("）", ")"), (" ", ""), ("\u3000", "")):
        text = text.replace(wide, narrow)
    return text


def parse_decimal(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Not a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Not a number."))
    if value < 0:
        raise ValueError(_("Cannot be negative."))
    if value >= Decimal("1e14"):
        raise ValueError(_("Too large."))
    return value.quantize(Decimal("0.01"))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")


def parse_date(text: str) -> dt.date:
    text = text.strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    match = _DATE.match(text)
    if not match:
        raise ValueError(_("Not a date (use 2025-03-31)."))
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("Not a date (use 2025-03-31).")) from None


def parse_int(text: str, low: int, high: int) -> int:
    text = text.strip().removesuffix("年").removesuffix("月")
    try:
        value = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Not a whole number.")) from None
    if not low <= value <= high:
        raise ValueError(_("Must be between {low} and {high}.").format(low=low, high=high))
    return value
