"""The import engine: read → check every row → write all or nothing → report."""

import pytest

from zoneops.core.files.import_engine import ImportEngine, ImportResult, RowError
from zoneops.core.models import Department
from zoneops.core.registries import background

pytestmark = pytest.mark.django_db


class DepartmentLines(ImportEngine):
    """One department a line ("name" or "!name": refused when written)."""

    def __init__(self, user, zone):
        super().__init__(user)
        self.zone = zone
        self.written = False

    def read(self, name, content):
        return list(enumerate(content.decode().splitlines(), start=2))

    def check(self, rows, result):
        background.report(0, len(rows), background.CHECKING)
        for row, line in rows:
            if not line.strip():
                result.errors.append(RowError(row, "name", "", "empty"))
        return rows

    def write(self, name, plan, result):
        self.written = True
        for row, line in plan:
            if line.startswith("!"):
                result.errors.append(RowError(row, "name", line, "refused while writing"))
                continue
            Department.objects.create(zone=self.zone, name=line)
            result.created += 1


def test_rows_are_written_and_counted_with_progress_in_phases(zone_tree):
    phases = []
    with background.reporting(lambda done, total, phase: phases.append(phase)):
        result = DepartmentLines(None, zone_tree["park"]).run("d.txt", "甲\n乙".encode())
    assert result == ImportResult(created=2)
    assert set(
        Department.objects.filter(zone=zone_tree["park"]).values_list("name", flat=True)
    ) >= {
        "甲",
        "乙",
    }
    assert [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p] == [
        "reading",
        "checking",
        "writing",
    ]


def test_a_bad_row_stops_the_import_before_anything_is_written(zone_tree):
    importer = DepartmentLines(None, zone_tree["park"])
    result = importer.run("d.txt", "甲\n \n乙".encode())
    assert [(e.row, e.reason) for e in result.errors] == [(3, "empty")]
    assert not importer.written and result.created == 0
    assert not Department.objects.filter(name__in=["甲", "乙"]).exists()


def test_an_error_found_while_writing_rolls_every_row_back(zone_tree):
    result = DepartmentLines(None, zone_tree["park"]).run("d.txt", "甲\n!乙\n丙".encode())
    assert [(e.row, e.value) for e in result.errors] == [(3, "!乙")]
    assert (result.created, result.updated) == (0, 0)
    assert not Department.objects.filter(name__in=["甲", "丙"]).exists()
