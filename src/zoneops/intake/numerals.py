"""Chinese and Arabic numerals."""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千点"


@lru_cache(maxsize=4096)
def cn_to_number(text: str) -> Decimal | None:
    """``"一百九十"`` → 190, ``"百"`` → 100, ``"四十二点九"`` → 42.9 (cn2an does the work)."""
    import cn2an

    if not text:
        return None
    if text[0] in "十百千":
        text = ("一" + text) if text[0] != "十" else text
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return Decimal(str(value))


@lru_cache(maxsize=8192)
def to_number(text: str) -> Decimal | None:
    """An Arabic (``"1,234.5"``) or Chinese numeral as a Decimal."""
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    return cn_to_number(text)


def is_chinese(text: str) -> bool:
    return bool(text) and not text[0].isdigit()


def plain(value: Decimal | None):
    """A Decimal as an int when whole, else a float (for JSON)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)
