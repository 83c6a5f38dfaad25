import pytest
from django.core.exceptions import ValidationError

from zoneops.enterprises import uscc

# The example of GB 32100-2015 itself, and codes built by the algorithm.
VALID = ["91350100M000100Y43", uscc.make("91220101MA1234567"), uscc.make("12100000400000007")]


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert uscc.WEIGHTS[-1] == 28


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert uscc.is_valid(code)
    uscc.validate_uscc(code)


def test_lower_case_and_spaces_are_normalised():
    assert uscc.is_valid(" 91350100m000100y43 ")


def test_check_character_zero_when_sum_is_multiple_of_31():
    # Find a body whose weighted sum is ≡ 0 (mod 31): its check character is "0", not "31".
    for n in range(1000):
        body = f"9122010112{n:07d}"
        total = sum(uscc.VALUES[c] * w for c, w in zip(body, uscc.WEIGHTS, strict=True))
        if total % 31 == 0:
            assert uscc.make(body).endswith("0")
            return
    pytest.fail("no body found")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91350100M000100Y44", "check character"),  # wrong check character
        ("91350100M000100Y4", "18 characters"),  # too short
        ("91350100M000100Y433", "18 characters"),  # too long
        ("91350100M0001O0Y43", "Not allowed"),  # letter O
        ("91350100I000100Y43", "Not allowed"),  # letter I
        ("9135A100M000100Y43", "division code"),
        ("", "18 characters"),
    ],
)
def test_bad_codes_are_rejected_with_a_reason(code, words):
    from django.utils import translation

    with translation.override("en"):
        assert words in uscc.problem(code)
        with pytest.raises(ValidationError):
            uscc.validate_uscc(code)


def test_every_single_character_typo_is_caught():
    good = VALID[0]
    for position in range(18):
        for char in uscc.CHARSET:
            if char != good[position]:
                typo = good[:position] + char + good[position + 1 :]
                assert not uscc.is_valid(typo), typo


def test_reason_is_in_chinese_by_default():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert "校验" in uscc.problem("91350100M000100Y44")


def _problem_the_long_way(value: str) -> str | None:
    """Every check of ``uscc.problem`` one after the other, as it was written before the
    shortcut for well-formed codes."""
    code = uscc.normalize(value)
    if len(code) != 18:
        return "length"
    if any(char not in uscc.VALUES for char in code):
        return "characters"
    if not code[2:8].isdigit():
        return "division"
    total = sum(uscc.VALUES[c] * w for c, w in zip(code[:17], uscc.WEIGHTS, strict=True))
    if code[17] != uscc.CHARSET[(31 - total % 31) % 31]:
        return "check"
    return None


@pytest.mark.parametrize(
    "code",
    [
        *VALID,
        "91350100M000100Y44",
        "91350100m000100y43",
        "91350100M000100Y4",
        "91350100M0001O0Y43",
        "9135A100M000100Y43",
        "91350100M000100Y4\n",
        "９1350100M000100Y43",  # a full-width digit
        "91３50100M000100Y43",
        "91350100M000100Y43 ",
        "",
    ],
)
def test_the_shortcut_for_well_formed_codes_agrees_with_every_check(code):
    assert (uscc.problem(code) is None) == (_problem_the_long_way(code) is None)
    if _problem_the_long_way(code) == "check":
        from django.utils import translation

        with translation.override("en"):
            assert "check character is wrong (expected 3)" in uscc.problem(code)


def test_check_char_wants_seventeen_characters():
    with pytest.raises(ValueError):
        uscc.check_char("9135010")
