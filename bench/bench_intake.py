"""Intake throughput: characters of article text read into statements per second.

The whole pipeline after start-up (rule files loaded, OpenCC and cn2an warm): clutter removal,
traditional → simplified, sentences, figures, units, periods, kinds, indicator mapping.
The five seed articles are repeated to about 2 MB of text.
"""

import time
from pathlib import Path

from timing import scaled

SEEDS = Path(__file__).resolve().parent.parent / "src/zoneops/intake/tests/fixtures"
TARGET_CHARS = scaled(2_000_000, 20_000)


def run(ctx):
    from zoneops.intake import reading
    from zoneops.intake.extract import read_article

    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        _source, title, body = reading.split_fixture(path.read_text(encoding="utf-8"))
        articles.append((title, body))
    for title, body in articles:  # start-up: load rules, warm converters
        read_article(body, title=title)
    total = sum(len(body) for _title, body in articles)
    rounds = max(1, TARGET_CHARS // total)
    chars = statements = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for title, body in articles:
            statements += len(read_article(body, title=title).statements)
            chars += len(body)
    elapsed = time.perf_counter() - start
    yield "intake.throughput", round(chars / elapsed), "chars/s"
    yield "intake.statements_per_s", round(statements / elapsed), "statements/s"


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
    django.setup()
    for name, value, unit in run(None):
        print(f"{name}: {value} {unit}")
