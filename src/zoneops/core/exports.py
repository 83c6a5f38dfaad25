"""Writing list rows to .xlsx, streaming so that 100,000 rows need little memory."""

import datetime as dt
import decimal
import tempfile
from collections.abc import Iterable, Sequence

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def cell_value(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, bool | int | float | dt.date | decimal.Decimal):
        return value
    return str(value)


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = "Sheet1"
) -> tempfile.SpooledTemporaryFile:
    """Write a one-sheet workbook and return it as a file positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([cell_value(v) for v in row])
    handle = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    workbook.save(handle)
    handle.seek(0)
    return handle


def xlsx_response(handle, filename: str) -> FileResponse:
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
