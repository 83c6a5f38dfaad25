"""``zoneops intake``: readable proposals, --json, --eval, --save."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run(*args) -> str:
    out = io.StringIO()
    call_command("intake", *args, stdout=out)
    return out.getvalue()


def test_json_maps_each_file_to_its_statements(tmp_path):
    page = tmp_path / "article.txt"
    page.write_text("吉林高新区\n今年計劃實施大項目40個。\n", encoding="utf-8")
    payload = json.loads(run(str(page), "--json", "--date", "2024-01-05"))
    (statement,) = payload["article.txt"]
    assert statement["value"] == 40 and statement["kind"] == "target"
    assert statement["period"] == "2024" and statement["subject"] == "吉林高新区"
    keys = {"sentence", "subject", "indicator", "value", "unit", "growth_pct", "period", "kind"}
    assert keys <= set(statement)


def test_readable_listing():
    out = run(str(FIXTURES / "02.txt"), "--headed")
    assert "funds_in_place: 1160000 万元 growth 10%" in out


def test_eval_prints_the_three_scores():
    out = run("--eval", str(FIXTURES))
    lines = dict(line.split(": ") for line in out.splitlines() if line.count(":") == 1)
    assert float(lines["precision"]) >= 0.95
    assert float(lines["recall"]) >= 0.9
    assert float(lines["kind_accuracy"]) >= 0.9


def test_save_registers_once(zone_tree, users):
    first = run(str(FIXTURES / "04.txt"), "--headed", "--save", "--zone", "JK", "--user", "admin")
    second = run(str(FIXTURES / "04.txt"), "--headed", "--save", "--zone", "JK", "--user", "admin")
    assert "registered as document" in first and "already registered" in second
    from zoneops.intake.models import Document

    document = Document.objects.get()
    assert document.source == "人民网" and document.statements.count() == 39


def test_errors_are_clear(tmp_path):
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError):
        run("--eval", str(tmp_path))
