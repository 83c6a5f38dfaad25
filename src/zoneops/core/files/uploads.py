"""Checks on uploaded spreadsheets and documents, made before any reader sees the bytes.

A 5 KB .xlsx holding one cell at XFD1048576 makes the spreadsheet reader allocate the dense
range from A1 to that cell (17 billion cells) and the process dies; a zip of a few MB can
declare gigabytes. So every upload is checked in this order, and refused with a clear message
at the first failure:

1. its size against ``ZONEOPS_UPLOAD_MAX_MB`` (also nginx's ``client_max_body_size``);
2. for zip-based formats (.xlsx, .xlsm, .docx): the number of members, their total
   uncompressed size and each member's compression ratio, from the zip's directory;
3. for spreadsheets: every worksheet's XML is decompressed (at most the declared size, which
   step 2 bounded) and scanned for the rows and cells it really addresses. Neither the cells'
   own references (``r="XFD1048576"``) nor the declared ``<dimension>`` are taken on trust: a
   reference or dimension beyond the row or column limit is refused before the reader runs.
"""

import io
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MAX_COLUMNS = 500  # an import sheet has a few dozen columns
MAX_MEMBERS = 2000  # parts in one .xlsx/.docx
MAX_RATIO = 200  # uncompressed / compressed size of one zip member (XML compresses ~10-30x)
RATIO_FLOOR = 1024 * 1024  # members smaller than this may have any ratio
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
ZIP_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".docx")


class UploadRefused(ValueError):
    """The upload is refused before it is read; the message says why, in the user's words."""


def max_bytes() -> int:
    return int(getattr(settings, "ZONEOPS_UPLOAD_MAX_MB", 20)) * 1024 * 1024


def max_unzipped_bytes() -> int:
    return int(getattr(settings, "ZONEOPS_UPLOAD_MAX_UNZIPPED_MB", 200)) * 1024 * 1024


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise UploadRefused(
            _("The file is larger than {limit} MB.").format(limit=limit // (1024 * 1024))
        )


def check_upload(upload) -> None:
    """The size of a Django ``UploadedFile``, checked before a byte of it is read."""
    check_size(upload.size)


def check_zip(content: bytes) -> zipfile.ZipFile:
    """The zip's directory checked for members, total size and ratio; the open zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRefused(_("The file is not a valid Office file (zip).")) from exc
    if len(members) > MAX_MEMBERS:
        raise UploadRefused(
            _("The file holds {count} parts; at most {limit} are accepted.").format(
                count=len(members), limit=MAX_MEMBERS
            )
        )
    total = 0
    limit = max_unzipped_bytes()
    for member in members:
        total += member.file_size
        if total > limit:
            raise UploadRefused(
                _("Unpacked, the file would exceed {limit} MB; it is refused.").format(
                    limit=limit // (1024 * 1024)
                )
            )
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise UploadRefused(
                _("The file is compressed {ratio}:1, beyond what an Office file can be.").format(
                    ratio=member.file_size // max(member.compress_size, 1)
                )
            )
    return archive


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)/?>")
_R = re.compile(rb'\br\s*=\s*["\']([A-Za-z]*)(\d*)["\']')
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*\bref\s*=\s*["\']([^"\']*)["\']')
_REF = re.compile(rb"([A-Za-z]{1,7})(\d{1,12})")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (char - 64)
    return number


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as handle:
        return handle.read(info.file_size + 1)[: info.file_size]


def _beyond(rows: int, columns: int, max_rows: int) -> str | None:
    if rows > max_rows + 1:  # + the header row
        return _("it reaches row {row}; at most {limit} rows can be imported.").format(
            row=rows, limit=max_rows
        )
    if columns > MAX_COLUMNS:
        return _("it reaches column {column}; at most {limit} columns are read.").format(
            column=columns, limit=MAX_COLUMNS
        )
    return None


# Excel, WPS and openpyxl write r first: <c r="B7" ...>, <row r="7" ...>.
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,7})(\d{1,12})"')
_FAST_ROW = re.compile(rb'<row r="(\d{1,12})"')
_UNUSUAL = (
    *(b"<c" + space for space in (b"\t", b"\n", b"\r")),
    *(b"<row" + space for space in (b"\t", b"\n", b"\r")),
    *(b":c" + end for end in (b" ", b">", b"/")),
    b":row",
)


def _count_tags(xml: bytes, tag: bytes) -> int:
    return sum(xml.count(b"<" + tag + end) for end in (b" ", b">", b"/>"))


def scan_worksheet(xml: bytes, max_rows: int) -> str | None:
    """Why the sheet is refused (its real or declared extent), or None."""
    data_at = xml.find(b"sheetData")
    dimension = _DIMENSION.search(xml, 0, len(xml) if data_at < 0 else data_at)
    if dimension:
        for letters, digits in _REF.findall(dimension.group(1)):
            reason = _beyond(int(digits), _column_number(letters), max_rows)
            if reason:
                return reason
    if not any(map(xml.__contains__, _UNUSUAL)):
        # The usual sheet: every row and cell carries its reference (found at C speed).
        cells = _FAST_CELL.findall(xml)
        rows = _FAST_ROW.findall(xml)
        if len(cells) == _count_tags(xml, b"c") and len(rows) == _count_tags(xml, b"row"):
            letters = {ref[0] for ref in cells}
            widest = max(letters, key=lambda x: (len(x), x)) if letters else b""
            numbers = {ref[1] for ref in cells}
            numbers.update(rows)
            last = max(map(int, numbers)) if numbers else 0
            return _beyond(last, _column_number(widest), max_rows)
    return _scan_slowly(xml, max_rows)


def _scan_slowly(xml: bytes, max_rows: int) -> str | None:
    """Rows and cells without references follow the one before (as the readers place them)."""
    row = 0
    last_row = 0
    max_column = 0
    rows = _ROW.finditer(xml)
    next_row = next(rows, None)
    column = 0
    for cell in _CELL.finditer(xml):
        while next_row is not None and next_row.start() < cell.start():
            ref = _R.search(next_row.group(1))
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            last_row = max(last_row, row)
            column = 0
            next_row = next(rows, None)
        ref = _R.search(cell.group(1))
        if ref and ref.group(1):
            column = _column_number(ref.group(1))
            if ref.group(2):
                row = int(ref.group(2))
                last_row = max(last_row, row)
        else:
            column += 1
        if column > max_column:
            max_column = column
            reason = _beyond(last_row, max_column, max_rows)
            if reason:
                return reason
        if row > max_rows + 1:
            return _beyond(row, max_column, max_rows)
    for match in rows if next_row is None else (next_row, *rows):
        ref = _R.search(match.group(1))
        row = int(ref.group(2)) if ref and ref.group(2) else row + 1
        last_row = max(last_row, row)
    return _beyond(last_row, max_column, max_rows)


def check_spreadsheet(name: str, content: bytes, *, max_rows: int) -> None:
    """Every check above for a spreadsheet upload; raises ``UploadRefused``."""
    check_size(len(content))
    if Path(name).suffix.lower() not in SPREADSHEET_SUFFIXES:
        return
    archive = check_zip(content)
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            reason = scan_worksheet(_read_member(archive, info), max_rows)
            if reason:
                raise UploadRefused(_("The spreadsheet is refused: {reason}").format(reason=reason))


def check_document(name: str, content: bytes) -> None:
    """Size, and for a .docx the zip checks, before the document reader opens it."""
    check_size(len(content))
    if Path(name).suffix.lower() in ZIP_SUFFIXES:
        check_zip(content)


def open_workbook(name: str, content: bytes, *, max_rows: int):
    """The calamine workbook of a checked upload (the one place a spreadsheet is opened)."""
    from python_calamine import CalamineWorkbook

    check_spreadsheet(name, content, max_rows=max_rows)
    return CalamineWorkbook.from_filelike(io.BytesIO(content))


class UploadSizeMiddleware:
    """A request body beyond the upload cap (and a margin for the form around the file) is
    answered 413 before Django parses it: nginx's client_max_body_size, repeated here for a
    set-up without it."""

    MARGIN = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes() + self.MARGIN:
            limit = max_bytes() // (1024 * 1024)
            return HttpResponse(
                _("The file is larger than {limit} MB.").format(limit=limit),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
