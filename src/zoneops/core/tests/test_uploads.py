# ruff: noqa: E501 -- the Office parts below are kept whole, as a file holds them
"""Crafted spreadsheets and documents are refused before any reader opens them (issue #17, 2)."""

import io
import tracemalloc
import zipfile

import pytest
import python_calamine

from zoneops.core.files import uploads
from zoneops.core.files.imports import ImportFileError, read_table
from zoneops.enterprises.importers import FigureImporter, read_rows

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def crafted_xlsx(sheet_data: str, dimension: str = "A1") -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def far_cell_xlsx() -> bytes:
    """The probe's file: a few KB, one cell at XFD1048576 (and a dimension saying so)."""
    return crafted_xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        dimension="A1:XFD1048576",
    )


def zip_bomb(megabytes: int = 64) -> bytes:
    """A valid-looking .xlsx whose sheet unpacks to ``megabytes`` of blanks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def reader_spy(monkeypatch):
    """Counts every time the spreadsheet reader is asked to open a file."""
    calls = []
    real = python_calamine.CalamineWorkbook

    class Spy:
        @staticmethod
        def from_filelike(handle):
            calls.append(handle)
            return real.from_filelike(handle)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Spy)
    return calls


def test_the_far_cell_file_is_refused_before_the_reader_with_bounded_memory(reader_spy):
    content = far_cell_xlsx()
    assert len(content) < 5 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="1048576"):
            read_table("far.xlsx", content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reader_spy == []
    assert peak < 2 * 1024 * 1024


def test_a_lying_dimension_alone_is_refused(reader_spy):
    content = crafted_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576")
    with pytest.raises(ImportFileError, match="1048576"):
        read_table("dim.xlsx", content)
    assert reader_spy == []


def test_cells_without_references_are_counted_where_the_reader_puts_them(reader_spy):
    cells = "<c><v>1</v></c>" * (uploads.MAX_COLUMNS + 1)
    with pytest.raises(ImportFileError, match=str(uploads.MAX_COLUMNS)):
        read_table("wide.xlsx", crafted_xlsx(f"<row>{cells}</row>"))
    assert reader_spy == []


def test_the_zip_bomb_is_refused_before_anything_is_unpacked(reader_spy):
    content = zip_bomb()
    assert len(content) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match=":1"):
            read_table("bomb.xlsx", content)
        with pytest.raises(ImportFileError, match=":1"):
            read_rows("bomb.xlsx", content, FigureImporter.columns)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reader_spy == []
    assert peak < 4 * 1024 * 1024


def test_total_unpacked_size_has_a_cap(settings, reader_spy):
    settings.ZONEOPS_UPLOAD_MAX_UNZIPPED_MB = 1
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n * 7919 % 100003}</t></is></c></row>'
        for n in range(1, 30000)
    )
    with pytest.raises(ImportFileError, match="1 MB"):
        read_table("big.xlsx", crafted_xlsx(rows))
    assert reader_spy == []


def test_size_cap_is_checked_before_the_upload_is_read(settings):
    settings.ZONEOPS_UPLOAD_MAX_MB = 1

    class Upload:
        name = "big.xlsx"
        size = 2 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    with pytest.raises(uploads.UploadRefused, match="1 MB"):
        uploads.check_upload(Upload())
    with pytest.raises(ImportFileError, match="1 MB"):
        read_table("big.csv", b"a\n" * (1024 * 1024))


def test_an_ordinary_sheet_is_still_read(reader_spy):
    content = crafted_xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>GX</t></is></c></row>',
        dimension="A1:A2",
    )
    headers, rows = read_table("ok.xlsx", content)
    assert headers == ["代码"]
    assert rows == [(2, ["GX"])]
    assert len(reader_spy) == 1


@pytest.mark.parametrize("make", [far_cell_xlsx, zip_bomb])
def test_the_import_page_refuses_crafted_files_with_a_message(
    make, client_for, users, zone_tree, reader_spy
):
    upload = io.BytesIO(make())
    upload.name = "zones.xlsx"
    response = client_for(users["admin"]).post("/zones/import/", {"file": upload})
    assert response.status_code == 200
    assert response.context["file_error"]
    assert reader_spy == []


def test_a_docx_bomb_is_refused_before_the_document_reader(monkeypatch):
    import docx

    def spy(*args, **kwargs):
        raise AssertionError("the document reader was called")

    monkeypatch.setattr(docx, "Document", spy)
    with pytest.raises(uploads.UploadRefused):
        uploads.check_document("a.docx", zip_bomb())


def test_a_request_body_beyond_the_cap_is_refused_before_parsing(settings, client_for, users):
    settings.ZONEOPS_UPLOAD_MAX_MB = 1
    upload = io.BytesIO(b"x" * (3 * 1024 * 1024))
    upload.name = "zones.csv"
    response = client_for(users["admin"]).post("/zones/import/", {"file": upload})
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
