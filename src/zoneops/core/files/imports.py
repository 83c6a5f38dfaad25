"""Bulk import from .xlsx/.csv: every row validated, then all rows written or none.

A row is validated by the model's import form (the same rules as the edit page). Rows may
refer to rows above them (a zone's parent), so rows are saved in order inside one
transaction, and the transaction is rolled back if any row failed: the user gets the full
list of bad rows with field and reason, and the database is as it was.
"""

import csv
import datetime as dt
import functools
import gc
import io
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from zoneops.core.files import uploads
from zoneops.core.files.import_engine import (  # noqa: F401  (imported from here by the apps)
    ImportEngine,
    ImportFileError,
    ImportResult,
    RowError,
)
from zoneops.core.registries import background

MAX_ROWS = 200_000
TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "on"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "off", ""})


BULK_MAX_ROWS = 5000  # records in one bulk API request


def bulk_items_error(items) -> RowError | None:
    """Why the body of a bulk API request cannot be taken at all: it is not a non-empty list of
    records, or it holds more than ``BULK_MAX_ROWS`` (the index of the last names the excess)."""
    if not isinstance(items, list) or not items:
        return RowError(0, "", "", _("Send a non-empty list of records."))
    if len(items) > BULK_MAX_ROWS:
        return RowError(
            len(items) - 1,
            "",
            "",
            _("At most {count} records at a time.").format(count=BULK_MAX_ROWS),
        )
    return None


def _plain_cell(value) -> str:
    kind = type(value)  # the usual cells first: this runs for every cell of a file
    if kind is str:
        return value.strip()
    if kind is float:
        return str(int(value)) if value.is_integer() else str(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def gc_paused(function):
    """Run ``function`` with Python's cycle collector paused (decorator).

    An import keeps every parsed row alive until it is written: hundreds of thousands of
    lists, dicts and Decimals. Each of them counts towards the collector's thresholds, so
    it keeps running full collections over the whole process heap (about a third of the
    import's time) while finding nothing to free. The rows hold no reference cycles and
    are released by reference counting; the collector resumes afterwards (nested calls
    leave it to the outermost one).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


def plain_cell(value) -> str:
    """A cell as the text the importers parse (what ``read_table`` gives by default)."""
    return _plain_cell(value)


def _blank(value) -> bool:
    """True where ``_plain_cell`` gives "" (without building the text)."""
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    if value is None:
        return True
    if kind is float or kind is int or kind is bool:
        return False
    return not _plain_cell(value)


def code_or_name(text: str, by_code: dict, by_name: dict, *, clean=str.lower):
    """What a cell names: a code ("3972", "C3972"), a code with its name ("C3972 半导体分立器件
    制造", "C3972半导体分立器件制造", as exports write it) or the name alone. ``by_code`` and
    ``by_name`` map ``clean``-ed codes and lower-case names to the value; None if the cell
    names nothing, or a code and a name that disagree."""
    text = (text or "").strip()
    if not text:
        return None
    found = by_code.get(clean(text))
    if found is None:
        found = _one(by_name.get(text.lower()))
    if found is not None:
        return found
    for cut in range(1, len(text)):
        head, tail = text[:cut].strip(), text[cut:].strip(" \t-－:：|/")
        code = by_code.get(clean(head))
        if code is not None and _names(by_name.get(tail.lower()), code):
            return code
    return None


def _one(found):
    """A name's value; a name several records share (a set) names none of them alone."""
    if isinstance(found, set | frozenset):
        return next(iter(found)) if len(found) == 1 else None
    return found


def _names(found, value) -> bool:
    return value in found if isinstance(found, set | frozenset) else found == value


def related_lookup(form_field) -> tuple[dict, dict]:
    """(by code, by name) for a record choice field: its key (pk or ``to_field_name``) by
    the key itself, the record's ``code``, and by its name and its text as pages show it."""
    key = form_field.to_field_name or "pk"
    by_code: dict[str, object] = {}
    by_name: dict[str, set] = {}
    for obj in form_field.queryset:
        value = str(getattr(obj, key))
        by_code[value.lower()] = value
        code = getattr(obj, "code", None)
        if isinstance(code, str) and code:
            by_code.setdefault(code.lower(), value)
        for name in {str(obj), getattr(obj, "name", None)}:
            if isinstance(name, str) and name:
                by_name.setdefault(name.strip().lower(), set()).add(value)
    return by_code, by_name


def _is_note(cells) -> bool:
    """A row above the header: empty, or the filters line of an export (its first cell only)."""
    from zoneops.core.files.exports import FILTER_PREFIXES

    values = [_plain_cell(c) for c in cells]
    if not any(values):
        return True
    return values[0].startswith(FILTER_PREFIXES) and not any(values[1:])


def check_import_size(content: bytes) -> None:
    """An upload over the size limit is an import error, named as such."""
    try:
        uploads.check_size(len(content))
    except uploads.UploadRefused as exc:
        raise ImportFileError(str(exc)) from exc


def csv_rows(content: bytes) -> list[list[str]]:
    """The rows of a CSV file saved as UTF-8 (with or without BOM) or GB18030, as offices save
    them; any other encoding is refused."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 encoded."))
    return list(csv.reader(io.StringIO(text)))


def read_table(
    name: str, content: bytes, *, typed: bool = False
) -> tuple[list[str], list[tuple[int, list]]]:
    """Headers and (spreadsheet row number, cells) for every non-empty row of the first sheet.

    Cells are texts (``plain_cell``); with ``typed`` they are left as the reader gives them
    (floats, dates, ... from a spreadsheet), for importers with a shortcut for the usual cells.
    """
    check_import_size(content)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        rows = csv_rows(content)
    elif suffix in uploads.SPREADSHEET_SUFFIXES:
        try:
            workbook = uploads.open_workbook(name, content, max_rows=MAX_ROWS)
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except uploads.UploadRefused as exc:
            raise ImportFileError(str(exc)) from exc
        except Exception as exc:  # calamine raises its own error types for damaged files
            raise ImportFileError(
                _("The spreadsheet cannot be read: {error}").format(error=exc)
            ) from exc
    else:
        raise ImportFileError(_("Upload a .xlsx or .csv file (got “{name}”).").format(name=name))
    # An export of a list starts with the filters it was made with, then a blank row.
    skip = 0
    while skip < len(rows) and _is_note(rows[skip]):
        skip += 1
    if not rows[skip:]:
        raise ImportFileError(_("The file is empty."))
    headers = [_plain_cell(h) for h in rows[skip]]
    rows = rows[skip:]
    body = []
    if typed:
        blank = _blank
        for index, cells in enumerate(rows[1:], start=2 + skip):
            for cell in cells:
                if not blank(cell):
                    body.append((index, cells))
                    break
    else:
        for index, cells in enumerate(rows[1:], start=2 + skip):
            values = list(map(_plain_cell, cells))
            if any(values):
                body.append((index, values))
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("The file has {count} rows; at most {limit} can be imported at once.").format(
                count=len(body), limit=MAX_ROWS
            )
        )
    return headers, body


class ModelImporter(ImportEngine):
    """Imports rows into ``model`` through ``form_class``.

    ``key_field``: a row whose key matches a record the user may change updates it; otherwise
    a new record is created (``row_key``/``existing`` may be overridden for a key of several
    columns). Column headers may be the field's label (in Chinese or English), its name, or one
    of ``header_aliases[name]`` (the words spreadsheets in the wild use). Yes/no columns take
    是/否, yes/no, true/false, 1/0, √ (empty: no).
    """

    model: type[models.Model]
    form_class: type[forms.ModelForm]
    key_field: str | None = None
    # A key of several fields (e.g. ("zone", "name") of a unique constraint): a row whose
    # values of them match a record the user may change updates it. An empty value matches a
    # record without one (a relation left empty, a text left blank).
    key_fields: tuple[str, ...] = ()
    header_aliases: dict[str, tuple[str, ...]] = {}

    def __init__(self, user):
        self.user = user

    def form_fields(self) -> dict[str, forms.Field]:
        return self.form_class(user=self.user).fields

    def header_map(self, headers: list[str], *, strict: bool = True) -> dict[int, str]:
        from django.utils import translation

        aliases: dict[str, str] = {}
        fields = self.form_fields()
        for name in fields:
            aliases[name.lower()] = name
        for name, words in self.header_aliases.items():
            for word in words:
                aliases[word.strip().lower()] = name
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for name, form_field in self.form_class(user=self.user).fields.items():
                    aliases[str(form_field.label).strip().lower()] = name
        mapping = {}
        for index, header in enumerate(headers):
            name = aliases.get(header.strip().lower().rstrip("*"))
            if name:
                mapping[index] = name
        missing = [
            str(fields[name].label)
            for name in fields
            if fields[name].required and name not in mapping.values()
        ]
        if missing and strict:
            raise ImportFileError(
                _("Required columns are missing: {columns}.").format(columns="、".join(missing))
            )
        return mapping

    def choice_aliases(self) -> dict[str, dict[str, str]]:
        """For choice fields: what people type (the label, in either language) → stored value."""
        from django.utils import translation

        aliases: dict[str, dict[str, str]] = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for name, form_field in self.form_class(user=self.user).fields.items():
                    if isinstance(form_field, forms.ModelChoiceField):
                        continue
                    for value, label in getattr(form_field, "choices", ()):
                        if value not in ("", None):
                            aliases.setdefault(name, {})[str(label).strip().lower()] = str(value)
        return aliases

    def in_row_zone(self, field_name: str, candidates, data: dict[str, str]):
        """Of the records several zones' name shares (each zone's 应急管理局), the one in the
        row's zone; None if the row has no zone or it holds not exactly one of them."""
        if (
            not isinstance(candidates, set | frozenset)
            or len(candidates) < 2
            or not data.get("zone")
        ):
            return None
        fields = self.form_fields()
        target, zone_field = fields[field_name], fields.get("zone")
        if zone_field is None or not hasattr(target.queryset.model, "zone_id"):
            return None
        key = target.to_field_name or "pk"
        zone_key = getattr(zone_field, "to_field_name", None) or "pk"
        try:
            found = list(
                target.queryset.filter(
                    **{f"{key}__in": list(candidates), f"zone__{zone_key}": data["zone"]}
                ).values_list(key, flat=True)
            )
        except (ValueError, TypeError, ValidationError):
            return None
        return str(found[0]) if len(found) == 1 else None

    def clean_row(self, data: dict[str, str]) -> dict[str, str]:
        """The cells of a row before the form sees them (for normalising, e.g. upper case)."""
        return data

    def row_key(self, data: dict[str, str]):
        """What identifies the record a row is about ("" for none: always a new record)."""
        if self.key_fields:
            values = tuple(str(data.get(name, "")).strip() for name in self.key_fields)
            return values if any(values) else ""
        return data.get(self.key_field, "") if self.key_field else ""

    def key_label(self) -> str:
        if self.key_fields:
            fields = self.form_fields()
            return "、".join(
                str(fields[name].label) if name in fields else name for name in self.key_fields
            )
        return str(self.form_fields()[self.key_field].label) if self.key_field else _("Row")

    def boolean_error(self, data: dict[str, str]) -> list[RowError]:
        """Yes/no cells to "true"/"false"; a cell that is neither is an error of its row."""
        if not hasattr(self, "_booleans"):
            self._booleans = {
                name: form_field
                for name, form_field in self.form_fields().items()
                if isinstance(form_field, forms.BooleanField)
            }
        errors = []
        for name, form_field in self._booleans.items():
            if name not in data:
                continue
            word = data[name].strip().lower()
            if word in TRUE_WORDS:
                data[name] = "true"
            elif word in FALSE_WORDS:
                data[name] = "false"
            else:
                errors.append(
                    RowError(0, str(form_field.label), data[name], _("Write 是 or 否 (yes or no)."))
                )
                data[name] = "false"  # the row is refused; its other cells are still checked
        return errors

    def existing(self, key):
        if self.key_fields and key:
            lookup = {}
            form_fields = self.form_fields()
            for name, value in zip(self.key_fields, key, strict=True):
                field = self.model._meta.get_field(name)
                if value and field.is_relation:
                    # the key the row's record choice gave (run() turned names into it)
                    to_field = getattr(form_fields.get(name), "to_field_name", None)
                    lookup[f"{name}__{to_field}" if to_field else field.attname] = value
                elif value:
                    lookup[name] = value
                elif field.null:
                    lookup[f"{name}__isnull"] = True
                else:
                    lookup[name] = ""
            try:
                return (
                    self.model.objects.restrict(self.user, "change")
                    .filter(**lookup)
                    .order_by("pk")
                    .first()
                )
            except (ValueError, TypeError, ValidationError):  # not a key of this kind: new
                return None
        if not self.key_field or not key:
            return None
        return (
            self.model.objects.restrict(self.user, "change").filter(**{self.key_field: key}).first()
        )

    def read(self, name: str, content: bytes) -> tuple[dict[int, str], list]:
        headers, rows = read_table(name, content)
        return self.header_map(headers), rows

    def check(self, table: tuple[dict[int, str], list], result: ImportResult) -> list[tuple]:
        """Each row's cells by field as the form takes them (choice labels and record names
        turned into values, yes/no words into true/false), with its key and the problems
        found so far. The form checks each row in ``write``, in order: a row may name a
        record an earlier row creates (a zone's parent)."""
        mapping, rows = table
        total = len(rows)
        choices = self.choice_aliases()
        related = {
            name: related_lookup(form_field)
            for name, form_field in self.form_fields().items()
            if isinstance(form_field, forms.ModelChoiceField)
            and not isinstance(form_field, forms.ModelMultipleChoiceField)
            and name in mapping.values()
        }
        seen_keys: dict[str, int] = {}
        plan = []
        for done, (row_number, cells) in enumerate(rows):
            if not done % 200:
                background.report(done, total, background.CHECKING)
            data = self.row_data(mapping, cells, choices, related)
            bad_words = self.boolean_error(data)
            for error in bad_words:
                error.row = row_number
            key = self.row_key(data)
            duplicate = None
            if key:
                if key in seen_keys:
                    duplicate = RowError(
                        row_number,
                        self.key_label(),
                        key if isinstance(key, str) else "、".join(key),
                        _("Duplicates row {row} of this file.").format(row=seen_keys[key]),
                    )
                else:
                    seen_keys[key] = row_number
            plan.append((row_number, data, key, bad_words, duplicate))
        background.report(total, total, background.CHECKING)
        return plan

    def row_data(self, mapping: dict[int, str], cells: list, choices: dict, related: dict):
        """A row's cells by field name, choice labels and records' names or codes turned
        into what the form takes, then ``clean_row``."""
        data = {
            field_name: (cells[index] if index < len(cells) else "")
            for index, field_name in mapping.items()
        }
        for field_name, labels in choices.items():
            if field_name in data:
                data[field_name] = labels.get(data[field_name].strip().lower(), data[field_name])
        for field_name, (by_code, by_name) in related.items():
            if data.get(field_name):
                # a record as the list shows it (its name, code or both) → its key
                found = code_or_name(data[field_name], by_code, by_name)
                if found is None and field_name != "zone":
                    found = self.in_row_zone(
                        field_name, by_name.get(data[field_name].strip().lower()), data
                    )
                if found is not None:
                    data[field_name] = found
        return self.clean_row(data)

    def write(self, name: str, plan: list[tuple], result: ImportResult) -> None:
        """Each row through the form and saved, in order (a savepoint each); the engine
        rolls all back if any row failed."""
        total = len(plan)
        for done, (row_number, data, key, bad_words, duplicate) in enumerate(plan):
            if not done % 200:
                background.report(done, total, background.WRITING)
            result.errors.extend(bad_words)
            if duplicate is not None:
                result.errors.append(duplicate)
                continue
            self.write_row(row_number, data, key, bad_words, result)

    def write_row(self, row_number: int, data: dict, key, bad_words: list, result) -> None:
        instance = self.existing(key)
        form = self.form_class(data=data, instance=instance, user=self.user)
        if instance is not None and not bad_words and not form.has_changed():
            # the record as the row has it already (a file exported and imported again):
            # nothing to write, and no rule about changing it applies
            result.unchanged += 1
            return
        if not form.is_valid():
            for field_name, messages in form.errors.items():
                label = (
                    str(form.fields[field_name].label) if field_name in form.fields else _("Row")
                )
                result.errors.append(
                    RowError(row_number, label, data.get(field_name, ""), " ".join(messages))
                )
            return
        if bad_words:
            return
        sid = transaction.savepoint()
        try:
            form.save()
        except Exception as exc:
            transaction.savepoint_rollback(sid)
            result.errors.append(RowError(row_number, _("Row"), "", str(exc)))
            return
        transaction.savepoint_commit(sid)
        if instance is None:
            result.created += 1
        else:
            result.updated += 1
