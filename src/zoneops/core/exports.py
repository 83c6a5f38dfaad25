"""Writing workbooks: list exports and the dispatch pack, all through XlsxWriter.

XlsxWriter in ``constant_memory`` mode writes each row to disk as it comes, so an export of
100,000 rows needs little memory. Every sheet it writes is read as the page shows it: the
column labels of the page, choice labels (the list's getters give them), 是/否 for yes/no,
real dates with a date format, amounts as numbers with ``#,##0.00``, a bold header that stays
in view (frozen), an autofilter, widths that fit the content, and, for a list, the filters
that were applied in a row above the header (imports skip that row: ``FILTER_PREFIXES``).
"""

import datetime as dt
import decimal
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

MAX_STRING = 32767  # Excel's limit for one cell
# Characters XML 1.0 forbids; dropped from exported text.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
# A first row starting with one of these lists the filters of an export; imports skip it.
FILTER_PREFIXES = ("筛选条件：", "Filters: ")
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
MONEY_FORMAT, INTEGER_FORMAT = "#,##0.00", "#,##0"
WIDTH_SAMPLE_ROWS = 1000  # column widths follow the header and the first rows
MAX_WIDTH = 60


def cell_value(value):
    """What a cell holds for ``value``: None, a number, a naive local date/time, or text."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, bool | int | float | dt.date | decimal.Decimal):
        return value
    return str(value)


EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()  # serial 0 (1900 date system, after March 1900)


def excel_serial(value: dt.datetime) -> float:
    """A naive date and time as Excel's serial number (what write_datetime stores)."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return value.toordinal() - EXCEL_EPOCH + seconds / 86400


def display_width(text: str) -> int:
    """Width in Excel's units (one per Latin character, two per Chinese one)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


@dataclass
class SheetSpec:
    """One sheet: text lines above (a heading, paragraphs, the filters), a table below."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    preamble: list[str] = field(default_factory=list)
    integer_format: str | None = None  # e.g. INTEGER_FORMAT for a pack's whole numbers


def sheet_title(title: str, used: set[str] | None = None) -> str:
    clean = INVALID_TITLE.sub("_", ILLEGAL_CHARACTERS.sub("", str(title)))[:31] or "Sheet1"
    if used is not None:
        while clean in used:
            clean = clean[:28] + f"~{len(used)}"
        used.add(clean)
    return clean


class _Writer:
    def __init__(self, handle):
        self.book = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,  # text is text, never a formula
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        self.header = self.book.add_format({"bold": True, "text_wrap": False})
        self.heading = self.book.add_format({"bold": True, "font_size": 14})
        self.date = self.book.add_format({"num_format": DATE_FORMAT})
        self.datetime = self.book.add_format({"num_format": DATETIME_FORMAT})
        self.money = self.book.add_format({"num_format": MONEY_FORMAT})
        self.integer = self.book.add_format({"num_format": INTEGER_FORMAT})
        self.tz = timezone.get_current_timezone()

    def sheet(self, spec: SheetSpec, used: set[str]):
        sheet = self.book.add_worksheet(sheet_title(spec.title, used))
        row = 0
        for index, line in enumerate(spec.preamble):
            sheet.write_string(row, 0, clean_text(line), self.heading if index == 0 else None)
            row += 1
        if spec.preamble:
            row += 1  # a blank row between the text and the table (autofilter sees the table)
        headers = [str(h) for h in spec.headers]
        widths = [display_width(h) + 2 for h in headers]
        header_row = row
        for column, header in enumerate(headers):
            sheet.write_string(row, column, clean_text(header), self.header)
        integer = self.integer if spec.integer_format else None
        write = self._cell
        # XlsxWriter's writers without their A1-notation wrapper (the hot loop of an export)
        write_string, write_number = sheet._write_string, sheet._write_number
        illegal = ILLEGAL_CHARACTERS.search
        sample_end = header_row + WIDTH_SAMPLE_ROWS
        for values in spec.rows:
            row += 1
            if row > sample_end:  # most rows of a long export: no measuring, usual types first
                for column, value in enumerate(values):
                    kind = type(value)
                    if kind is str:
                        if value:
                            if illegal(value) or len(value) > MAX_STRING:
                                value = clean_text(value)
                            write_string(row, column, value, None)
                    elif value is None:
                        continue
                    elif kind is dt.datetime:
                        if value.utcoffset() is not None:
                            value = value.astimezone(self.tz).replace(tzinfo=None)
                        write_number(row, column, excel_serial(value), self.datetime)
                    elif kind is dt.date:
                        write_number(row, column, value.toordinal() - EXCEL_EPOCH, self.date)
                    elif kind is int:
                        write_number(row, column, value, integer)
                    else:
                        write(sheet, row, column, value, integer)
                continue
            for column, value in enumerate(values):
                shown = write(sheet, row, column, value, integer)
                if shown:
                    if column >= len(widths):
                        widths.extend([0] * (column + 1 - len(widths)))
                    if shown > widths[column]:
                        widths[column] = shown
        if headers:
            sheet.freeze_panes(header_row + 1, 0)
            sheet.autofilter(header_row, 0, max(row, header_row), len(headers) - 1)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(width + 1, MAX_WIDTH))
        return sheet

    def _cell(self, sheet, row: int, column: int, value, integer) -> int:
        """Write one value typed; return its display width (for the column's width)."""
        kind = type(value)
        if kind is str:
            if not value:
                return 0
            if ILLEGAL_CHARACTERS.search(value):
                value = ILLEGAL_CHARACTERS.sub("", value)
            sheet.write_string(row, column, value[:MAX_STRING])
            return display_width(value)
        if value is None:
            return 0
        if kind is bool:
            sheet.write_string(row, column, "是" if value else "否")
            return 2
        if kind is int:
            sheet.write_number(row, column, value, integer)
            return len(f"{value:,}")
        if kind is decimal.Decimal or kind is float:
            number = float(value)
            if not math.isfinite(number):
                sheet.write_string(row, column, str(value))
                return len(str(value))
            # amounts (万元) are kept with two decimals; other decimals (coordinates, rates)
            # are shown as they are
            if kind is float or value.as_tuple().exponent == -2:
                sheet.write_number(row, column, number, self.money)
                return len(f"{number:,.2f}")
            sheet.write_number(row, column, number)
            return len(str(value))
        if kind is dt.datetime:
            if value.utcoffset() is not None:
                value = value.astimezone(self.tz).replace(tzinfo=None)
            sheet.write_datetime(row, column, value, self.datetime)
            return 19
        if kind is dt.date:
            sheet.write_datetime(row, column, value, self.date)
            return 10
        value = cell_value(value)
        if isinstance(value, str | bool | int | float | decimal.Decimal | dt.date):
            return self._cell(sheet, row, column, value, integer)
        return 0


def clean_text(text: str) -> str:
    return ILLEGAL_CHARACTERS.sub("", str(text))[:MAX_STRING]


def write_workbook(sheets: Iterable[SheetSpec]) -> tempfile.SpooledTemporaryFile:
    """Write the sheets into one workbook; return it as a file positioned at its start."""
    handle = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    writer = _Writer(handle)
    used: set[str] = set()
    for spec in sheets:
        writer.sheet(spec, used)
    if not used:
        writer.sheet(SheetSpec("Sheet1", [], []), used)
    writer.book.close()
    handle.seek(0)
    return handle


def filters_line(filters: Sequence[tuple[str, str]]) -> str:
    """The applied filters as one line: 筛选条件：状态=在营；园区=长春高新区."""
    from django.utils.translation import get_language

    prefix = FILTER_PREFIXES[0] if (get_language() or "").startswith("zh") else FILTER_PREFIXES[1]
    separator = "；" if prefix == FILTER_PREFIXES[0] else "; "
    return prefix + separator.join(f"{label}={value}" for label, value in filters)


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_title: str = "Sheet1",
    filters: Sequence[tuple[str, str]] = (),
) -> tempfile.SpooledTemporaryFile:
    """Write a one-sheet workbook (``filters``: (label, value) pairs written above the header)
    and return it as a file positioned at its start. ``rows`` is consumed once, row by row."""
    preamble = [filters_line(filters)] if filters else []
    return write_workbook([SheetSpec(sheet_title, headers, rows, preamble=preamble)])


def xlsx_response(handle, filename: str) -> FileResponse:
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
