"""Scoring proposed statements against hand-written expectations.

A proposed statement matches an expected one when its clause lies in the expected sentence and
it has the same value in the same unit (money compared in 万元, 万/亿 counts multiplied out); a
growth-only statement (value and unit null) matches on ``growth_pct``. Each expected statement
is matched at most once. Other fields are not compared, except ``kind`` for kind accuracy
(and the confusion of kinds, ``Score.kinds``).

Folders: ``tests/fixtures`` (the five seed articles the reader was written on) and
``data/eval_real`` (excerpts of other zones' reports, collected and labelled before tuning,
frozen; see its README).
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from zoneops.intake import clutter

_MONEY = {
    "元": Decimal("0.0001"),
    "万元": Decimal(1),
    "千万元": Decimal(1000),
    "亿元": Decimal(10000),
}
_PREFIX = {"万": Decimal(10000), "亿": Decimal(100000000)}
_UNIT_ALIASES = {"％": "%", "个百分点": "百分点", "度": "千瓦时"}


def normalise_text(text: str) -> str:
    """The text as the reader sees it (simplified, ruby and bylines removed), without spaces:
    labels quote the page verbatim, proposals quote the cleaned article."""
    return re.sub(r"\s+", "", clutter.normalise(text or ""))


def normalise_quantity(value, unit) -> tuple[Decimal | None, str | None]:
    if value is None:
        return None, unit
    number = Decimal(str(value))
    unit = _UNIT_ALIASES.get(unit, unit)
    if unit in _MONEY:
        return number * _MONEY[unit], "万元"
    if unit and len(unit) > 1 and unit[0] in _PREFIX:
        return number * _PREFIX[unit[0]], _UNIT_ALIASES.get(unit[1:], unit[1:])
    return number, unit


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(Decimal("0.01"), abs(b) * Decimal("0.0001"))


def matches(proposed: dict, expected: dict) -> bool:
    if normalise_text(proposed.get("sentence")) not in normalise_text(expected.get("sentence")):
        return False
    if expected.get("value") is None:
        if proposed.get("value") is not None:
            return False
        g1, g2 = proposed.get("growth_pct"), expected.get("growth_pct")
        return g1 is not None and g2 is not None and _close(Decimal(str(g1)), Decimal(str(g2)))
    v1, u1 = normalise_quantity(proposed.get("value"), proposed.get("unit"))
    v2, u2 = normalise_quantity(expected.get("value"), expected.get("unit"))
    return u1 == u2 and _close(v1, v2)


@dataclass
class Score:
    proposed: int = 0
    expected: int = 0
    matched: int = 0
    kind_right: int = 0
    # (expected kind, proposed kind) → how many matched statements
    kinds: Counter = field(default_factory=Counter)
    missed: list[dict] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_right / self.matched if self.matched else 1.0

    def add(self, other: "Score") -> None:
        self.proposed += other.proposed
        self.expected += other.expected
        self.matched += other.matched
        self.kind_right += other.kind_right
        self.kinds.update(other.kinds)
        self.missed += other.missed
        self.spurious += other.spurious


def score(proposed: list[dict], expected: list[dict]) -> Score:
    result = Score(proposed=len(proposed), expected=len(expected))
    taken = [False] * len(expected)
    for item in proposed:
        for index, wanted in enumerate(expected):
            if not taken[index] and matches(item, wanted):
                taken[index] = True
                result.matched += 1
                result.kind_right += item.get("kind") == wanted.get("kind")
                result.kinds[(wanted.get("kind"), item.get("kind"))] += 1
                break
        else:
            result.spurious.append(item)
    result.missed = [wanted for index, wanted in enumerate(expected) if not taken[index]]
    return result


def cases(folder) -> list[tuple[Path, Path]]:
    """``(NN.txt, NN.json)`` pairs in a folder, in name order."""
    folder = Path(folder)
    return [
        (text, text.with_suffix(".json"))
        for text in sorted(folder.glob("*.txt"))
        if text.with_suffix(".json").exists()
    ]


def evaluate(folder, propose) -> tuple[Score, dict[str, Score]]:
    """Score ``propose(path) -> list[dict]`` over every case of a folder."""
    total, per_case = Score(), {}
    for text_path, json_path in cases(folder):
        expected = json.loads(json_path.read_text(encoding="utf-8"))
        result = score(propose(text_path), expected)
        per_case[text_path.stem] = result
        total.add(result)
    return total, per_case
