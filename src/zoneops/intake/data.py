"""The rule files in ``data/``: units, cue words, indicator mapping, zones, periods, clutter.

Loaded once per process; every rule that says what a phrase means lives in these files.
"""

import re
from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


def load(name: str):
    with open(DATA_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alternation(words) -> str:
    """A regex alternation of ``words``, longest first so the longest one wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def units() -> dict:
    return load("units")


@cache
def cues() -> dict:
    return load("cues")


@cache
def indicators() -> list[dict]:
    return load("indicators")


@cache
def zones() -> dict:
    return load("zones")


@cache
def periods() -> dict:
    return load("periods")


@cache
def clutter() -> dict:
    return load("clutter")


def indicator_labels() -> dict[str, str]:
    return {rule["code"]: rule["label"] for rule in indicators()}
