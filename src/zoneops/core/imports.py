"""Bulk import from .xlsx/.csv: every row validated, then all rows written or none.

A row is validated by the model's import form (the same rules as the edit page). Rows may
refer to rows above them (a zone's parent), so rows are saved in order inside one
transaction, and the transaction is rolled back if any row failed: the user gets the full
list of bad rows with field and reason, and the database is as it was.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.db import models, transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

MAX_ROWS = 200_000
TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "on"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "off", ""})


class ImportFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, missing headers)."""


@dataclass
class RowError:
    row: int  # as the user sees it in the spreadsheet: the header is row 1
    field: str
    value: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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


def read_table(name: str, content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Headers and (spreadsheet row number, cells) for every non-empty row of the first sheet."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 encoded."))
        rows = list(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own error types for damaged files
            raise ImportFileError(
                _("The spreadsheet cannot be read: {error}").format(error=exc)
            ) from exc
    else:
        raise ImportFileError(_("Upload a .xlsx or .csv file (got “{name}”).").format(name=name))
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = [_plain_cell(h) for h in rows[0]]
    body = []
    for index, cells in enumerate(rows[1:], start=2):
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


class ModelImporter:
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
    header_aliases: dict[str, tuple[str, ...]] = {}

    def __init__(self, user):
        self.user = user

    def form_fields(self) -> dict[str, forms.Field]:
        return self.form_class(user=self.user).fields

    def header_map(self, headers: list[str]) -> dict[int, str]:
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
        if missing:
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

    def clean_row(self, data: dict[str, str]) -> dict[str, str]:
        """The cells of a row before the form sees them (for normalising, e.g. upper case)."""
        return data

    def row_key(self, data: dict[str, str]) -> str:
        """What identifies the record a row is about ("" for none: always a new record)."""
        return data.get(self.key_field, "") if self.key_field else ""

    def key_label(self) -> str:
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

    def existing(self, key: str):
        if not self.key_field or not key:
            return None
        return (
            self.model.objects.restrict(self.user, "change").filter(**{self.key_field: key}).first()
        )

    @transaction.atomic
    def run(self, name: str, content: bytes) -> ImportResult:
        headers, rows = read_table(name, content)
        mapping = self.header_map(headers)
        result = ImportResult()
        seen_keys: dict[str, int] = {}
        choices = self.choice_aliases()
        for row_number, cells in rows:
            data = {
                field_name: (cells[index] if index < len(cells) else "")
                for index, field_name in mapping.items()
            }
            for field_name, labels in choices.items():
                if field_name in data:
                    data[field_name] = labels.get(
                        data[field_name].strip().lower(), data[field_name]
                    )
            data = self.clean_row(data)
            bad_words = self.boolean_error(data)
            for error in bad_words:
                error.row = row_number
            result.errors.extend(bad_words)
            key = self.row_key(data)
            if key:
                if key in seen_keys:
                    result.errors.append(
                        RowError(
                            row_number,
                            self.key_label(),
                            key,
                            _("Duplicates row {row} of this file.").format(row=seen_keys[key]),
                        )
                    )
                    continue
                seen_keys[key] = row_number
            instance = self.existing(key)
            form = self.form_class(data=data, instance=instance, user=self.user)
            if not form.is_valid():
                for field_name, messages in form.errors.items():
                    label = (
                        str(form.fields[field_name].label)
                        if field_name in form.fields
                        else _("Row")
                    )
                    result.errors.append(
                        RowError(row_number, label, data.get(field_name, ""), " ".join(messages))
                    )
                continue
            if bad_words:
                continue
            sid = transaction.savepoint()
            try:
                form.save()
            except Exception as exc:
                transaction.savepoint_rollback(sid)
                result.errors.append(RowError(row_number, _("Row"), "", str(exc)))
                continue
            transaction.savepoint_commit(sid)
            if instance is None:
                result.created += 1
            else:
                result.updated += 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
        return result
