"""Writing list rows to .xlsx, streaming so that 100,000 rows need little memory.

The workbook is written directly as SpreadsheetML (the same parts and cells that openpyxl's
write-only mode produces: inline strings, dates as serial numbers with a date format, a bold
header row), one row after the other into the zip. openpyxl builds a cell object and an XML
element per value, which made an export of 100,000 rows take most of its time in the writer.
"""

import datetime as dt
import decimal
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

from django.http import FileResponse
from django.utils import timezone
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

MAX_STRING = 32767  # Excel's limit for one cell
# Characters XML 1.0 forbids (openpyxl refuses them); dropped from exported text.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
NEEDS_ESCAPING = re.compile(r"[&<>\000-\010\013\014\016-\037]")
INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")

STYLE_HEADER, STYLE_DATETIME, STYLE_DATE = 1, 2, 3

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
</Types>"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Target="xl/workbook.xml" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>\
</Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Target="worksheets/sheet1.xml" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>\
<Relationship Id="rId2" Target="styles.xml" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>\
</Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<bookViews><workbookView activeTab="0"/></bookViews>\
<sheets><sheet name={title} sheetId="1" r:id="rId1"/></sheets></workbook>"""

# Cell formats: 0 plain, 1 bold header, 2 date and time, 3 date (formats as openpyxl's).
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""

SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
SHEET_TAIL = "</sheetData></worksheet>"


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


def text_cell(ref: str, text: str, style: int = 0) -> str:
    if not text:
        return ""  # an empty cell, as openpyxl leaves it
    if len(text) > MAX_STRING:
        text = text[:MAX_STRING]
    if NEEDS_ESCAPING.search(text):
        text = ILLEGAL_CHARACTERS.sub("", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not text:
            return ""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def value_cell(ref: str, value, tz=None) -> str:
    """One ``<c>`` element (empty for None), the value as ``cell_value`` makes it.

    Text is always text, never a formula. ``tz``: the current time zone, if already known.
    """
    kind = type(value)
    if kind is str:  # most cells: no conversion
        return text_cell(ref, value)
    if value is None:
        return ""
    if kind is dt.datetime and value.utcoffset() is not None:  # aware: local, naive
        value = value.astimezone(tz or timezone.get_current_timezone()).replace(tzinfo=None)
    else:
        value = cell_value(value)
    if isinstance(value, str):
        return text_cell(ref, value)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        style = STYLE_DATETIME if isinstance(value, dt.datetime) else STYLE_DATE
        return f'<c r="{ref}" s="{style}"><v>{to_excel(value)}</v></c>'
    if isinstance(value, float) and not math.isfinite(value):
        return text_cell(ref, str(value))
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        return text_cell(ref, str(value))
    return f'<c r="{ref}"><v>{value}</v></c>'


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = "Sheet1"
) -> tempfile.SpooledTemporaryFile:
    """Write a one-sheet workbook and return it as a file positioned at its start.

    ``rows`` is consumed once, row by row; values go through ``cell_value``.
    """
    title = INVALID_TITLE.sub("_", ILLEGAL_CHARACTERS.sub("", str(sheet_title)))[:31] or "Sheet1"
    letters: list[str] = []
    tz = timezone.get_current_timezone()
    handle = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK.format(title=quoteattr(title)))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD.encode())
            header = [
                text_cell(f"{get_column_letter(i + 1)}1", str(h), STYLE_HEADER)
                for i, h in enumerate(headers)
            ]
            chunk = [f'<row r="1">{"".join(header)}</row>']
            number = 1
            for row in rows:
                number += 1
                if len(row) > len(letters):
                    letters += [get_column_letter(i + 1) for i in range(len(letters), len(row))]
                cells = "".join(
                    [
                        text_cell(f"{letter}{number}", value)
                        if type(value) is str
                        else value_cell(f"{letter}{number}", value, tz)
                        for letter, value in zip(letters, row, strict=False)
                    ]
                )
                chunk.append(f'<row r="{number}">{cells}</row>')
                if len(chunk) >= 1000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            chunk.append(SHEET_TAIL)
            sheet.write("".join(chunk).encode())
    handle.seek(0)
    return handle


def xlsx_response(handle, filename: str) -> FileResponse:
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
