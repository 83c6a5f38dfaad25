"""What both project imports share: the columns they know, and the importer that reads a
sheet, checks every row and writes only a clean file."""

from dataclasses import dataclass

from django import forms
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from zoneops.core.files.imports import (
    ImportFileError,
    ModelImporter,
    RowError,
)
from zoneops.core.models import CHINA_LATITUDE, CHINA_LONGITUDE
from zoneops.core.zones import geo
from zoneops.projects.imports.cells import _norm, parse_date, parse_decimal, parse_int


@dataclass
class Col:
    name: str
    label: object  # lazy
    required: bool = False
    kind: str = "text"  # text, decimal, date, year, month, choice, zone, tags
    aliases: tuple[str, ...] = ()
    max_length: int = 200
    help: object = ""


def roomy_cache() -> None:
    """A larger page cache for this connection on SQLite: big imports update many indexes."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")


class SheetImporter(ModelImporter):
    """Shared parts: header aliases in both languages, per-cell parsing, the import template."""

    columns: list[Col] = []

    def __init__(self, user):
        super().__init__(user)
        self._choice_aliases: dict[str, dict[str, str]] = {}

    def form_fields(self) -> dict[str, forms.Field]:
        return {
            c.name: forms.CharField(label=c.label, required=c.required, help_text=c.help)
            for c in self.columns
        }

    def header_map(self, headers: list[str]) -> dict[int, Col]:
        aliases: dict[str, Col] = {}
        for col in self.columns:
            aliases[_norm(col.name)] = col
            for alias in col.aliases:
                aliases[_norm(alias)] = col
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    aliases[_norm(str(col.label))] = col
        mapping = {}
        for index, header in enumerate(headers):
            col = aliases.get(_norm(header))
            if col and col not in mapping.values():
                mapping[index] = col
        missing = [str(c.label) for c in self.columns if c.required and c not in mapping.values()]
        if missing:
            raise ImportFileError(
                _("Required columns are missing: {columns}.").format(columns="、".join(missing))
            )
        return mapping

    def choice_map(self, name: str, choices) -> dict[str, str]:
        if name not in self._choice_aliases:
            table = {}
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    for value, label in choices:
                        table[_norm(str(label))] = value
                        table[_norm(value)] = value
            self._choice_aliases[name] = table
        return self._choice_aliases[name]

    # Kinds whose cells repeat (a file's year and month, choices, zones, tags, dates) and
    # whose parsing depends on the text alone: each distinct text is parsed once per import.
    CACHED_KINDS = frozenset({"choice", "zone", "tags", "year", "month", "date"})
    # Kinds a subclass's ``parse_cell`` parses itself instead of this class's.
    own_kinds: frozenset[str] = frozenset()

    def cached_cell(self, col: Col, text: str):
        if col.kind not in self.CACHED_KINDS:
            return self.parse_cell(col, text)
        cache = self.__dict__.setdefault("_cell_cache", {})
        key = (col.name, text)
        if key not in cache:
            try:
                cache[key] = (True, self.parse_cell(col, text))
            except ValueError as exc:
                cache[key] = (False, exc)
        ok, value = cache[key]
        if not ok:
            raise value.with_traceback(None)  # a repeated error: no traceback piling up
        return list(value) if isinstance(value, list) else value

    def row_plan(self, mapping: dict) -> list[tuple]:
        """Per mapped column, worked out once per file: (index, name, column, how to parse).

        How: "cached" (see ``CACHED_KINDS``), "text" (only its length is checked),
        "decimal", else "cell" (``parse_cell``). Text and decimal cells are parsed here
        directly, as ``SheetImporter.parse_cell`` does, unless a subclass names their kind in
        ``own_kinds`` (the kinds its ``parse_cell`` handles itself).
        """
        plan = self.__dict__.get("_row_plan")
        if plan is not None and plan[0] is mapping:
            return plan[1]
        steps = []
        for index, col in mapping.items():
            if col.kind in self.CACHED_KINDS:
                how = "cached"
            elif col.kind in ("text", "decimal") and col.kind not in self.own_kinds:
                how = col.kind
            else:
                how = "cell"
            steps.append((index, col.name, col, how))
        self._row_plan = (mapping, steps)
        return steps

    def parse_row(self, row_number, mapping, cells, errors) -> dict | None:
        """The row's parsed values by column name, or None after adding its errors."""
        values = {}
        ok = True
        count = len(cells)
        cache = self.__dict__.setdefault("_cell_cache", {})
        # This loop runs for every cell of a file: the usual cases are handled inline.
        for index, name, col, how in self.row_plan(mapping):
            text = cells[index].strip() if index < count else ""
            if not text:
                if col.required:
                    errors.append(RowError(row_number, str(col.label), "", _("Required.")))
                    ok = False
                values[name] = None
                continue
            try:
                if how == "text":
                    if len(text) > col.max_length:
                        raise ValueError(
                            _("At most {count} characters.").format(count=col.max_length)
                        )
                    values[name] = text
                elif how == "decimal":
                    values[name] = parse_decimal(text)
                elif how == "cached":
                    hit = cache.get((name, text))
                    if hit is not None and hit[0] and type(hit[1]) is not list:
                        values[name] = hit[1]
                    else:
                        values[name] = self.cached_cell(col, text)
                else:
                    values[name] = self.cached_cell(col, text)
            except ValueError as exc:
                errors.append(RowError(row_number, str(col.label), text, str(exc)))
                ok = False
        return values if ok else None

    def parse_cell(self, col: Col, text: str):
        if col.kind == "decimal":
            return parse_decimal(text)
        if col.kind == "date":
            return parse_date(text)
        if col.kind == "year":
            return parse_int(text, 2000, 2100)
        if col.kind == "month":
            return parse_int(text, 1, 12)
        if col.kind == "longitude":
            return geo.parse_coordinate(text, *CHINA_LONGITUDE, _("Longitude is outside China."))
        if col.kind == "latitude":
            return geo.parse_coordinate(text, *CHINA_LATITUDE, _("Latitude is outside China."))
        if len(text) > col.max_length:
            raise ValueError(_("At most {count} characters.").format(count=col.max_length))
        return text
