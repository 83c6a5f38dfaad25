"""The zh_Hans catalogues have a Chinese text for every msgid (no gettext tools needed)."""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(SOURCE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def entries(text: str):
    """(msgid, [msgstr …], fuzzy) of each entry of a .po file, the header and obsolete ones
    (``#~``) left out."""
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if match:
                current = match.group(1)
                parts[current] = [match.group(2)]
            elif line.startswith('"') and current is not None:
                parts[current].append(line[1:-1])
        if "msgid" not in parts:
            continue
        msgid = "".join(parts["msgid"])
        if msgid == "":
            continue  # the header
        strings = ["".join(v) for k, v in parts.items() if k.startswith("msgstr")]
        yield msgid, strings, fuzzy


def test_the_catalogues_are_found():
    apps = {path.parents[3].name for path in CATALOGUES}
    assert {"core", "enterprises", "appeals", "tasks"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_no_empty_or_fuzzy_msgstr_in_the_chinese_catalogue(po):
    missing = [
        msgid
        for msgid, strings, fuzzy in entries(po.read_text(encoding="utf-8"))
        if fuzzy or not strings or any(s.strip() == "" for s in strings)
    ]
    assert not missing, f"{po}: no Chinese for {missing[:20]}"


def test_the_parser_sees_an_empty_msgstr():
    text = 'msgid ""\nmsgstr "header"\n\nmsgid "Saved"\nmsgstr ""\n\nmsgid "Yes"\nmsgstr "是"\n'
    assert [(m, s) for m, s, _f in entries(text)] == [("Saved", [""]), ("Yes", ["是"])]
