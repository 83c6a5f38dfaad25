"""The monthly update: each project's investment of the month, checked against what is stored."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import CHANGE, role_may
from zoneops.core.files.imports import (
    ImportResult,
    RowError,
    gc_paused,
    plain_cell,
    read_table,
)
from zoneops.core.registries import background, rollups
from zoneops.projects import completed
from zoneops.projects.imports.sheet import Col, SheetImporter, roomy_cache
from zoneops.projects.imports.writes import MonthEntry, write_monthly
from zoneops.projects.models import (
    MonthlyInvestment,
    Project,
)

MONTHLY_COLUMNS = [
    Col("code", gettext_lazy("project code"), True, aliases=("项目编号", "项目代码", "编号")),
    Col("year", gettext_lazy("year"), True, "year", aliases=("年度",)),
    Col("month", gettext_lazy("month"), True, "month", aliases=("月份", "截至月份")),
    Col(
        "completed_ytd",
        gettext_lazy("completed this year (10k yuan)"),
        True,
        "decimal",
        aliases=("本年累计完成投资", "本年累计完成投资(万元)", "累计完成投资"),
    ),
]


class MonthlyImporter(SheetImporter):
    """The monthly update: one row per project with its year-to-date completed investment."""

    model = MonthlyInvestment
    columns = MONTHLY_COLUMNS

    @gc_paused
    def run(self, name: str, content: bytes) -> ImportResult:
        if not role_may(self.user, CHANGE, Project):
            raise PermissionDenied(_("Your role may not import records here."))
        roomy_cache()
        return super().run(name, content)

    def read(self, name: str, content: bytes) -> tuple[dict, list, bool]:
        headers, rows = read_table(name, content, typed=True)
        return self.header_map(headers), rows, True

    @gc_paused
    def run_rows(self, name: str, mapping: dict, rows, *, typed: bool = False) -> ImportResult:
        """The import after reading: ``rows`` are (row number, cell texts) in ``mapping``'s
        column order; also what the bulk API sends its records through (row = index).
        ``typed``: cells as the spreadsheet reader gives them (``read_table(typed=True)``)."""
        if not role_may(self.user, CHANGE, Project):
            raise PermissionDenied(_("Your role may not import records here."))
        return self.import_rows(name, (mapping, rows, typed))

    def check(self, table: tuple[dict, list, bool], result: ImportResult) -> tuple:
        """Every row checked, against the projects and the months before it too: (monthly
        entries, the projects, the entries certainly new)."""
        mapping, rows, typed = table
        errors = result.errors
        parsed = self.parse_rows(mapping, rows, typed, errors)
        projects = self.known_projects({v["code"] for _r, v in parsed})
        entries = self.entries(parsed, projects, errors)
        known_new = self.check_cumulative(entries, projects, errors)
        return entries, projects, known_new

    @rollups.batched  # each touched zone's roll-ups once, at the end
    def write(self, name: str, plan: tuple, result: ImportResult) -> None:
        entries, projects, known_new = plan
        created, updated = write_monthly(entries, f"import: {name}"[:300], known_new)
        self.refresh_projects(entries, projects)
        result.created, result.updated = created, updated

    def parse_rows(self, mapping: dict, rows, typed: bool, errors: list) -> list[tuple]:
        """(row, values) of every good row."""
        self._cell_cache = {}
        parsed = []
        seen: dict[tuple, int] = {}
        code_label = str(MONTHLY_COLUMNS[0].label)
        quick = typed_monthly_row(mapping) if typed else None
        total = len(rows) if isinstance(rows, list) else None
        for done, (row_number, cells) in enumerate(rows):
            if not done & 1023:
                background.report(done, total, background.CHECKING)
            values = quick(cells) if quick is not None else None
            if values is None:
                if typed:
                    cells = list(map(plain_cell, cells))
                values = self.parse_row(row_number, mapping, cells, errors)
                if values is None:
                    continue
            key = (values["code"], values["year"], values["month"])
            if key in seen:
                errors.append(
                    RowError(
                        row_number,
                        code_label,
                        values["code"],
                        _("Duplicates row {row} of this file.").format(row=seen[key]),
                    )
                )
                continue
            seen[key] = row_number
            parsed.append((row_number, values))
        return parsed

    def known_projects(self, codes: set[str]) -> dict[str, "Known"]:
        """What is known of the projects of ``codes`` the user may change, by code."""
        codes = sorted(codes)
        projects = {}
        columns = ("code", "pk", "zone_id", "plan_year", "completed_ytd", "completed_month")
        changeable = Project.objects.restrict(self.user, CHANGE)
        if len(codes) > 500:
            # A zone's whole monthly update: reading the changeable projects once is cheaper
            # than sending thousands of codes to the database.
            wanted = set(codes)
            for info in changeable.values_list(*columns).iterator(chunk_size=5000):
                if info[0] in wanted:
                    projects[info[0]] = Known(*info)
        else:
            for info in changeable.filter(code__in=codes).values_list(*columns):
                projects[info[0]] = Known(*info)
        return projects

    def entries(self, parsed: list[tuple], projects: dict, errors: list) -> list["MonthEntry"]:
        """A monthly entry of each row; an error for each row of a project not changeable."""
        code_label = str(MONTHLY_COLUMNS[0].label)
        entries = []
        for row_number, values in parsed:
            project = projects.get(values["code"])
            if project is None:
                errors.append(
                    RowError(
                        row_number,
                        code_label,
                        values["code"],
                        _("No project with this code that you may change."),
                    )
                )
                continue
            entries.append(
                MonthEntry(
                    project.pk,
                    project.zone_id,
                    project.code,
                    values["year"],
                    values["month"],
                    values["completed_ytd"],
                    row_number,
                )
            )
        return entries

    def refresh_projects(self, entries: list[MonthEntry], projects: dict) -> None:
        """Keep each project's latest 本年累计 of its plan year (one UPDATE a changed project)."""
        latest: dict[int, MonthEntry] = {}
        plan_years = {p.pk: p for p in projects.values()}
        for entry in entries:
            known = plan_years[entry.project_id]
            if entry.year != known.plan_year:
                continue
            best = latest.get(entry.project_id)
            if best is None or entry.month > best.month:
                latest[entry.project_id] = entry
        updates = []
        for pid, entry in latest.items():
            known = plan_years[pid]
            if known.completed_month is None or entry.month >= known.completed_month:
                updates.append((entry.value, entry.month, pid))
        completed.set_completed(updates)

    def check_cumulative(self, entries: list[MonthEntry], projects: dict, errors) -> set[int]:
        """本年累计 never falls from one month to a later one of the same year.

        A project's latest figure of its plan year is on the project, so months after it are
        checked against it without reading the monthly rows; other months read them. Returns
        the indexes of entries that are certainly new rows.
        """
        by_pk = {p.pk: p for p in projects.values()}
        groups: dict[tuple, list[int]] = {}
        for index, entry in enumerate(entries):
            groups.setdefault((entry.project_id, entry.year), []).append(index)
        series: dict[tuple, dict[int, tuple[Decimal, int | None]]] = {}
        slow: list[tuple[int, int]] = []
        known_new = set()
        label = str(MONTHLY_COLUMNS[3].label)
        for key, indexes in list(groups.items()):
            known = by_pk[key[0]]
            if len(indexes) == 1 and key[1] == known.plan_year:
                # The usual monthly file: one month per project, after its latest month.
                entry = entries[indexes[0]]
                if known.completed_month is None or entry.month > known.completed_month:
                    known_new.add(indexes[0])
                    if known.completed_month is not None and entry.value < known.completed_ytd:
                        errors.append(
                            RowError(
                                entry.row,
                                label,
                                str(entry.value),
                                _(
                                    "Lower than month {month}'s year-to-date figure ({value})."
                                ).format(month=known.completed_month, value=known.completed_ytd),
                            )
                        )
                    del groups[key]
                    continue
            first = min(entries[i].month for i in indexes)
            if key[1] == known.plan_year and (
                known.completed_month is None or first > known.completed_month
            ):
                months = {}
                if known.completed_month is not None:
                    months[known.completed_month] = (known.completed_ytd, None)
                series[key] = months
                known_new.update(indexes)
            else:
                series[key] = {}
                slow.append(key)
        if slow:
            read_stored_months(series, slow)
        for key, indexes in groups.items():
            for index in indexes:
                entry = entries[index]
                series[key][entry.month] = (entry.value, entry.row)
        refuse_falls(series, label, errors)
        return known_new


def read_stored_months(series: dict[tuple, dict], keys: list[tuple[int, int]]) -> None:
    """The stored 本年累计 of each (project id, year) of ``keys``, by month, into ``series``."""
    ids = sorted({pid for pid, _year in keys})
    years = sorted({year for _pid, year in keys})
    wanted = set(keys)
    for start in range(0, len(ids), 2000):
        for pid, year, month, value in MonthlyInvestment.objects.filter(
            project_id__in=ids[start : start + 2000], year__in=years
        ).values_list("project_id", "year", "month", "completed_ytd"):
            if (pid, year) in wanted:
                series[(pid, year)][month] = (value, None)


def refuse_falls(series: dict[tuple, dict], label: str, errors: list) -> None:
    """An error for each row whose 本年累计 is lower than an earlier month's of its year
    (``series``: month → (value, row number or None for a stored figure))."""
    for months in series.values():
        previous = None
        for month in sorted(months):
            value, row_number = months[month]
            if previous is not None and value < previous[1] and row_number is not None:
                errors.append(
                    RowError(
                        row_number,
                        label,
                        str(value),
                        _("Lower than month {month}'s year-to-date figure ({value}).").format(
                            month=previous[0], value=previous[1]
                        ),
                    )
                )
            previous = (month, value)


CENT = Decimal("0.01")


MAX_AMOUNT = 1e14  # parse_decimal refuses amounts from here on


def typed_monthly_row(mapping: dict[int, Col]):
    """A parser of the usual monthly row (code text, year, month and amount numbers) straight
    from the spreadsheet's cells, giving what ``parse_row`` gives for their texts; None for
    any other row, which then goes the general way (with its errors named)."""
    at = {col.name: index for index, col in mapping.items()}
    code_at, year_at, month_at, value_at = (
        at["code"],
        at["year"],
        at["month"],
        at["completed_ytd"],
    )
    width = max(code_at, year_at, month_at, value_at) + 1
    code_length = MONTHLY_COLUMNS[0].max_length
    numbers = (float, int)

    def parse(cells: list) -> dict | None:
        if len(cells) < width:
            return None
        code, year, month, value = cells[code_at], cells[year_at], cells[month_at], cells[value_at]
        if (
            type(code) is not str
            or type(year) not in numbers
            or type(month) not in numbers
            or type(value) not in numbers
        ):
            return None
        code = code.strip()
        if not code or len(code) > code_length:
            return None
        if not (2000 <= year <= 2100 and 1 <= month <= 12 and 0 <= value < MAX_AMOUNT):
            return None
        if year != int(year) or month != int(month):
            return None
        # The amount's text as plain_cell writes it, then parse_decimal's rounding.
        text = str(int(value)) if value == int(value) else str(value)
        return {
            "code": code,
            "year": int(year),
            "month": int(month),
            "completed_ytd": Decimal(text).quantize(CENT),
        }

    return parse


@dataclass
class Known:
    code: str
    pk: int
    zone_id: int
    plan_year: int
    completed_ytd: Decimal
    completed_month: int | None
