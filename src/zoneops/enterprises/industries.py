"""The GB/T 4754-2017 code table shipped in ``data/gbt4754_2017.csv`` and lookups on it."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
TABLE = DATA / "gbt4754_2017.csv"


def read_rows(path: Path = TABLE) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.DictReader(lines)
    return [(row["code"].strip(), row["name"].strip()) for row in reader]


def table_entries(path: Path = TABLE) -> list[dict]:
    """code, name, level, section, parent code for every row, parents before children."""
    entries = []
    section = ""
    known: set[str] = set()
    for code, name in read_rows(path):
        if code.isalpha():
            section, level, parent = code, 1, None
        else:
            level = len(code)  # 2 division, 3 group, 4 class
            parent = next((code[:n] for n in (3, 2) if n < len(code) and code[:n] in known), None)
            parent = parent or section
        entries.append(
            {"code": code, "name": name, "level": level, "section": section, "parent": parent}
        )
        known.add(code)
    return entries


def load(model) -> int:
    """Create or update ``model`` rows (the Industry model, or a migration's historical one)."""
    by_code = {row.code: row for row in model.objects.all()}
    count = 0
    for entry in table_entries():
        row = by_code.get(entry["code"]) or model(code=entry["code"])
        row.name, row.level, row.section = entry["name"], entry["level"], entry["section"]
        row.parent = by_code.get(entry["parent"]) if entry["parent"] else None
        row.save()
        by_code[row.code] = row
        count += 1
    return count


def clean_code(value: str) -> str:
    """'C2761', 'c 2761', '2761' → '2761'; 'C' stays 'C'."""
    value = (value or "").strip().upper().replace(" ", "")
    if len(value) > 1 and value[0].isalpha() and value[1:].isdigit():
        return value[1:]
    return value


def code_map() -> dict[str, int]:
    """code → Industry id, read afresh by each import: a process-wide cache kept the ids of a
    table since reloaded (and, in tests, of rows rolled back), so a valid code was refused."""
    from zoneops.enterprises.models import Industry

    return dict(Industry.objects.values_list("code", "pk"))
