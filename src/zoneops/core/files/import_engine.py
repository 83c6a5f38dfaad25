"""The import engine: read → check every row → write all or nothing → report.

An import of a file (or of the records of a bulk API request) goes through four steps, each
a method an importer gives:

- ``read(name, content)``: the file's rows (an ``ImportFileError`` when the file
  as a whole cannot be read: type, encoding, missing columns);
- ``check(rows, result)``: every row checked against the rules, each problem a
  ``RowError`` (row as the user sees it, field, value, reason) in ``result.errors``; what to
  write comes back (the "plan");
- ``write(plan, result)``: only when no row had an error, in the checks' transaction, counting
  ``result.created`` / ``updated`` / ``unchanged``; an error found while writing (a rule
  only the database sees) rolls the whole import back;
- the ``ImportResult`` goes back to the page, the API or the job.

Progress goes to ``background.report`` in the phases reading, checking, writing: a job
shows it, and may stop the import there (nothing is written then). ``generic.BulkImportView``
and the jobs app take any importer with ``run(name, content)`` and ``form_fields()``.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from zoneops.core.registries import background


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
    unchanged: int = 0  # rows matching a record that already holds what they hold
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportEngine:
    """Base of the importers: ``run`` is the engine, subclasses give the steps."""

    model: Any = None

    def __init__(self, user):
        self.user = user

    def run(self, name: str, content: bytes) -> ImportResult:
        background.report(0, None, background.READING)
        rows = self.read(name, content)
        return self.import_rows(name, rows)

    def import_rows(self, name: str, rows) -> ImportResult:
        """The import after reading (what a bulk API request's records go through)."""
        result = ImportResult()
        # One transaction for both steps: the rows are checked against what the write will
        # find (and on PostgreSQL the checks' chunked reads need no cursor held past a commit).
        with transaction.atomic():
            plan = self.check(rows, result)
            if result.errors:
                return result
            background.report(0, len(plan) if isinstance(plan, list) else None, background.WRITING)
            self.write(name, plan, result)
            if result.errors:
                transaction.set_rollback(True)
                result.created = result.updated = 0
        return result

    def read(self, name: str, content: bytes):
        raise NotImplementedError

    def check(self, rows, result: ImportResult):
        raise NotImplementedError

    def write(self, name: str, plan, result: ImportResult) -> None:
        raise NotImplementedError
