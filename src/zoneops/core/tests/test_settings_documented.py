"""docs/settings.md lists every environment variable and ZONEOPS_* setting the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
READS = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|os\.environ\.setdefault|env_bool|env_list|env_int)"""
    r"""\(\s*["']([A-Z][A-Z0-9_]+)["']|os\.environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
)
SETTING = re.compile(r"^(ZONEOPS_[A-Z0-9_]+)\s*=", re.MULTILINE)


def _read_names() -> dict[str, str]:
    found = {}
    sources = [*(ROOT / "src" / "zoneops").rglob("*.py"), ROOT / "deploy" / "gunicorn.conf.py"]
    sources += list((ROOT / "bench").glob("*.py")) + [ROOT / "bench" / "run"]
    for path in sources:
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        for match in READS.finditer(text):
            found.setdefault(match.group(1) or match.group(2), str(path.relative_to(ROOT)))
    settings = (ROOT / "src" / "zoneops" / "settings.py").read_text(encoding="utf-8")
    for name in SETTING.findall(settings):
        found.setdefault(name, "src/zoneops/settings.py")
    return found


def test_every_setting_the_code_reads_is_documented():
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs" / "settings.md").read_text())
    )
    missing = {name: where for name, where in _read_names().items() if name not in documented}
    assert not missing, f"add these to docs/settings.md: {missing}"


def test_the_check_finds_what_it_looks_for():
    names = _read_names()
    assert names["DATABASE_URL"] and names["ZONEOPS_PAGE_SIZE"] and names["GUNICORN_TIMEOUT"]
