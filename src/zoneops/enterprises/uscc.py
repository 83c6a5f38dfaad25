"""统一社会信用代码 (unified social credit code, USCC) per GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division
code (6), organisation code (9, GB 11714 with its own check character), check character (1).
Characters come from the 31-character set below (no I, O, S, V, Z). The check character is
``C18 = 31 - (Σ Ci·Wi mod 31)`` (31 → 0) with weights ``Wi = 3^(i-1) mod 31``.
"""

import re
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, …


# A code of allowed characters with digits in places 3 to 8: only the check is left to do.
WELL_FORMED = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def check_char(body: str) -> str:
    """The 18th character for the first 17 (which must already be valid characters)."""
    if len(body) != 17:
        raise ValueError("17 characters expected")
    # map() rather than a generator: imports check a statistics office's 100,000 codes.
    total = sum(map(mul, map(VALUES.__getitem__, body), WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def problem(value: str) -> str | None:
    """Why ``value`` is not a valid USCC, or None."""
    code = normalize(value)
    if WELL_FORMED.fullmatch(code):  # the usual case: the checks below reduce to this
        return None if code[17] == check_char(code[:17]) else _wrong_check(code)
    if len(code) != 18:
        return _("A unified social credit code has 18 characters (this one has {n}).").format(
            n=len(code)
        )
    bad = sorted({char for char in code if char not in VALUES})
    if bad:
        return _("Not allowed in a unified social credit code: {chars}.").format(
            chars=" ".join(bad)
        )
    if not code[2:8].isdigit():
        return _("Characters 3 to 8 of a unified social credit code are a division code (digits).")
    if code[17] != check_char(code[:17]):
        return _wrong_check(code)
    return None


def _wrong_check(code: str) -> str:
    return _("The check character is wrong (expected {expected}): check for a typo.").format(
        expected=check_char(code[:17])
    )


def is_valid(value: str) -> bool:
    return problem(value) is None


def validate_uscc(value: str) -> None:
    reason = problem(value)
    if reason:
        raise ValidationError(reason, code="uscc")


def make(body17: str) -> str:
    """A full code from its first 17 characters (for synthetic data and tests)."""
    body17 = normalize(body17)
    return body17 + check_char(body17)
