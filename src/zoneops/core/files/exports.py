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
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

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


# A value of a subclass (choices are str or int subclasses) as its plain type.
PLAIN_TYPES = (
    (bool, bool),
    (int, int),
    (float, float),
    (decimal.Decimal, decimal.Decimal),
    (dt.datetime, lambda v: dt.datetime.combine(v.date(), v.timetz())),
    (dt.date, lambda v: dt.date(v.year, v.month, v.day)),
)
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


class _RowSheet(Worksheet):
    """XlsxWriter's worksheet with one more writer: a whole row of cells at once.

    ``write_string``/``write_number`` keep each cell as an object until its row is done and
    then write it through several layers of calls: more than half of the time of a long
    export. ``write_cells`` takes the row's ``<c>`` elements, made by ``_Writer`` as XlsxWriter
    makes them in ``constant_memory`` mode (inline strings, its own escaping), and writes the
    row in one go; the workbook, its styles, sheet settings and zip stay XlsxWriter's. A test
    compares its sheet with the one XlsxWriter writes cell by cell.
    """

    def write_cells(self, row: int, last_column: int, cells: str) -> None:
        if row <= self.previous_row and (row or self.table):
            raise ValueError("rows are written in order (constant_memory)")
        if self.table:
            self._write_single_row(row)  # a row written cell by cell (the header) goes first
        self.previous_row = row
        if not cells:
            return
        if self._check_dimensions(row, 0) == -1 or self._check_dimensions(row, last_column) == -1:
            raise ValueError(f"row {row + 1} is beyond the sheet's limits")
        self.fh.write(f'<row r="{row + 1}">{cells}</row>')


# Text written as it is, unless it has XML's or Excel's special characters, an _xHHHH_ of its
# own, or white space at either end (then XlsxWriter's own escaping does it).
SPECIAL_TEXT = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")


def inline_string(ref: str, text: str) -> str:
    """A text cell as XlsxWriter's ``constant_memory`` mode writes it."""
    if SPECIAL_TEXT.search(text) is None:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
    text = Worksheet._escape_control_characters(text)
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


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
        sheet = self.book.add_worksheet(sheet_title(spec.title, used), worksheet_class=_RowSheet)
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
        # the style index of each number format, as XlsxWriter writes it in a cell's s=""
        date_s = f' s="{self.date._get_xf_index()}"'
        datetime_s = f' s="{self.datetime._get_xf_index()}"'
        integer_s = f' s="{self.integer._get_xf_index()}"' if spec.integer_format else ""
        self.styles = {
            "money": f' s="{self.money._get_xf_index()}"',
            "integer": integer_s,
        }
        letters = [xl_col_to_name(column) for column in range(len(headers))]
        cell = self._cell
        illegal = ILLEGAL_CHARACTERS.search
        special = SPECIAL_TEXT.search
        tz = self.tz
        sample_end = header_row + WIDTH_SAMPLE_ROWS
        for values in spec.rows:
            row += 1
            number = str(row + 1)
            cells = []
            add = cells.append
            if len(values) > len(letters):
                letters.extend(xl_col_to_name(c) for c in range(len(letters), len(values)))
            if row <= sample_end:  # the first rows: their widths are measured
                for column, value in enumerate(values):
                    xml, shown = cell(letters[column] + number, value)
                    if xml:
                        add(xml)
                    if shown:
                        if column >= len(widths):
                            widths.extend([0] * (column + 1 - len(widths)))
                        if shown > widths[column]:
                            widths[column] = shown
            else:  # most rows of a long export: no measuring, usual types first
                for column, value in enumerate(values):
                    kind = type(value)
                    if kind is str:
                        if value:
                            if illegal(value) or len(value) > MAX_STRING:
                                value = clean_text(value)
                            if special(value) is None:
                                add(
                                    f'<c r="{letters[column]}{number}" t="inlineStr">'
                                    f"<is><t>{value}</t></is></c>"
                                )
                            else:
                                add(inline_string(letters[column] + number, value))
                    elif value is None:
                        continue
                    elif kind is dt.datetime:
                        if value.utcoffset() is not None:
                            value = value.astimezone(tz).replace(tzinfo=None)
                        add(
                            f'<c r="{letters[column]}{number}"{datetime_s}>'
                            f"<v>{excel_serial(value):.16G}</v></c>"
                        )
                    elif kind is dt.date:
                        add(
                            f'<c r="{letters[column]}{number}"{date_s}>'
                            f"<v>{value.toordinal() - EXCEL_EPOCH}</v></c>"
                        )
                    elif kind is int:
                        add(f'<c r="{letters[column]}{number}"{integer_s}><v>{value:.16G}</v></c>')
                    elif kind is uuid.UUID:  # hex digits and dashes: nothing to escape
                        add(
                            f'<c r="{letters[column]}{number}" t="inlineStr">'
                            f"<is><t>{value}</t></is></c>"
                        )
                    else:
                        xml, _shown = cell(letters[column] + number, value)
                        if xml:
                            add(xml)
            sheet.write_cells(row, max(len(values), 1) - 1, "".join(cells))
        if headers:
            sheet.freeze_panes(header_row + 1, 0)
            sheet.autofilter(header_row, 0, max(row, header_row), len(headers) - 1)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(width + 1, MAX_WIDTH))
        return sheet

    def _cell(self, ref: str, value) -> tuple[str, int]:
        """One value as a typed ``<c>`` element, and its display width (for the column's)."""
        kind = type(value)
        if kind is str:
            if not value:
                return "", 0
            value = clean_text(value)
            return inline_string(ref, value), display_width(value)
        if value is None:
            return "", 0
        if kind is bool:
            return inline_string(ref, "是" if value else "否"), 2
        if kind is int:
            return f'<c r="{ref}"{self.styles["integer"]}><v>{value:.16G}</v></c>', len(
                f"{value:,}"
            )
        if kind is decimal.Decimal or kind is float:
            number = float(value)
            if not math.isfinite(number):
                return inline_string(ref, str(value)), len(str(value))
            # amounts (万元) are kept with two decimals; other decimals (coordinates, rates)
            # are shown as they are
            if kind is float or value.as_tuple().exponent == -2:
                return (
                    f'<c r="{ref}"{self.styles["money"]}><v>{number:.16G}</v></c>',
                    len(f"{number:,.2f}"),
                )
            return f'<c r="{ref}"><v>{number:.16G}</v></c>', len(str(value))
        if kind is dt.datetime:
            if value.utcoffset() is not None:
                value = value.astimezone(self.tz).replace(tzinfo=None)
            style = self.datetime._get_xf_index()
            return f'<c r="{ref}" s="{style}"><v>{excel_serial(value):.16G}</v></c>', 19
        if kind is dt.date:
            style = self.date._get_xf_index()
            return f'<c r="{ref}" s="{style}"><v>{value.toordinal() - EXCEL_EPOCH}</v></c>', 10
        # subclasses (choices are str or int), other types: as the plain type they are
        for plain, convert in PLAIN_TYPES:
            if isinstance(value, plain):
                return self._cell(ref, convert(value))
        return self._cell(ref, str(value))


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
