"""``zoneops intake FILE_OR_URL...``: propose the quantitative statements of articles.

zoneops intake ../shared/seeds/*.txt            readable proposals
zoneops intake --json a.txt b.docx              {"a.txt": [statement, …], …}
zoneops intake --eval src/zoneops/intake/tests/fixtures
                                                precision / recall / kind_accuracy (seeds)
zoneops intake --eval src/zoneops/intake/data/eval_real
                                                the same on the frozen set of other zones
zoneops intake --save --zone GX a.txt           also register the articles for review
"""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zoneops.intake import evaluation, pipeline, reading


class Command(BaseCommand):
    help = (
        "Propose the figures, targets and growth rates written in articles (.txt .docx .html .pdf)."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="files or http(s) URLs")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--eval", metavar="DIR", help="score NN.txt against NN.json in DIR")
        parser.add_argument("--verbose-eval", action="store_true", help="list misses with --eval")
        parser.add_argument("--date", help="the articles' date (YYYY-MM-DD) when they carry none")
        parser.add_argument("--zone", help="code of the zone the articles are about")
        parser.add_argument(
            "--headed",
            action="store_true",
            help="text files start with a source line and a title line (as in --eval folders)",
        )
        parser.add_argument(
            "--save", action="store_true", help="register the articles and their proposals"
        )
        parser.add_argument("--user", help="username recorded as the one who registered them")

    def handle(self, *args, **options):
        date = None
        if options["date"]:
            try:
                date = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from exc
        if options["eval"]:
            return self.evaluate(Path(options["eval"]), verbose=options["verbose_eval"])
        if not options["sources"]:
            raise CommandError("name at least one file or URL (or --eval DIR)")
        zone = None
        if options["zone"]:
            from zoneops.core.models import Zone

            zone = Zone.objects.filter(code=options["zone"]).first()
            if zone is None:
                raise CommandError(f"no zone with code {options['zone']!r}")
        results = {}
        for source in options["sources"]:
            try:
                origin, article = pipeline.read_source(
                    source,
                    headed=True if options["headed"] else None,
                    date=date,
                    zone=zone.name if zone else None,
                )
            except (OSError, reading.UnsupportedFile) as exc:
                raise CommandError(f"{source}: {exc}") from exc
            results[source] = (origin, article)
            if options["save"]:
                self.save(source, origin, article, zone, options["user"], options["headed"])
        if options["json"]:
            payload = {
                Path(source).name if not pipeline.looks_like_source(source) else source: [
                    s.as_dict() for s in article.statements
                ]
                for source, (_origin, article) in results.items()
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
            return
        for source, (_origin, article) in results.items():
            self.print_article(source, article)

    def print_article(self, source, article):
        self.stdout.write(
            f"== {source}: {article.title or '—'} · {article.zone or '?'} · "
            f"{article.date or article.year or '?'} · {len(article.statements)} statements"
        )
        for s in article.statements:
            quantity = "" if s.value is None else f"{_num(s.value)} {s.unit}"
            growth = "" if s.growth_pct is None else f" growth {_num(s.growth_pct)}%"
            qualifier = f" ({s.qualifier})" if s.qualifier else ""
            what = s.indicator or s.measure or "?"
            self.stdout.write(
                f"  [{s.kind:6}] {s.period or '?':>10}  {what}: {quantity}{qualifier}{growth}"
                f"   « {s.sentence} »"
            )

    def save(self, source, origin, article, zone, username, headed):
        from zoneops.core.models import User
        from zoneops.intake import services

        if zone is None:
            raise CommandError("--save needs --zone CODE")
        user = User.objects.filter(username=username).first() if username else None
        if user is None:
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("--save needs --user (or a superuser to act as)")
        path = Path(source)
        text = reading.read_path(path) if path.exists() else article.text
        headed = path.exists() and (headed or pipeline.looks_like_source(text.split("\n", 1)[0]))
        document, created = services.register_document(
            acting_user=user,
            zone=zone,
            text=text,
            title=article.title or path.stem,
            source=origin,
            date=article.date,
            file_name=path.name,
            headed=headed,
        )
        state = "registered" if created else "already registered"
        self.stdout.write(f"{source}: {state} as document {document.pk}")

    def evaluate(self, folder: Path, *, verbose: bool):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        total, per_case = evaluation.evaluate(
            folder, lambda path: pipeline.propose(str(path), headed=True)
        )
        if not per_case:
            raise CommandError(f"{folder} holds no NN.txt with NN.json")
        for name, result in per_case.items():
            self.stdout.write(
                f"{name}: precision {result.precision:.3f} recall {result.recall:.3f} "
                f"kind_accuracy {result.kind_accuracy:.3f} "
                f"({result.matched} of {result.expected} expected, {result.proposed} proposed)"
            )
            if verbose:
                for item in result.missed:
                    self.stdout.write(f"   missed  {_brief(item)}")
                for item in result.spurious:
                    self.stdout.write(f"   extra   {_brief(item)}")
        self.stdout.write(f"precision: {total.precision:.3f}")
        self.stdout.write(f"recall: {total.recall:.3f}")
        self.stdout.write(f"kind_accuracy: {total.kind_accuracy:.3f}")
        for wanted in sorted({w for w, _p in total.kinds}):
            row = {got: n for (w, got), n in total.kinds.items() if w == wanted}
            right = row.get(wanted, 0)
            others = ", ".join(f"{n} as {got}" for got, n in sorted(row.items()) if got != wanted)
            self.stdout.write(
                f"  {wanted}: {right} of {sum(row.values())} right"
                + (f" ({others})" if others else "")
            )


def _num(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _brief(item: dict) -> str:
    return (
        f"{item.get('value')} {item.get('unit')} g={item.get('growth_pct')} "
        f"[{item.get('kind')}] « {str(item.get('sentence'))[:60]} »"
    )
