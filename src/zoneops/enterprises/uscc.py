"""统一社会信用代码 (unified social credit code, USCC) per GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division
code (6), organisation code (9, GB 11714 with its own check character), check character (1).
Characters come from the 31-character set below (no I, O, S, V, Z). The check character is
``C18 = 31 - (Σ Ci·Wi mod 31)`` (31 → 0) with weights ``Wi = 3^(i-1) mod 31``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, …


def check_char(body: str) -> str:
    """The 18th character for the first 17 (which must already be valid characters)."""
    total = sum(VALUES[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def problem(value: str) -> str | None:
    """Why ``value`` is not a valid USCC, or None."""
    code = normalize(value)
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
    expected = check_char(code[:17])
    if code[17] != expected:
        return _("The check character is wrong (expected {expected}): check for a typo.").format(
            expected=expected
        )
    return None


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
