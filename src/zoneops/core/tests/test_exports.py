import datetime as dt
import decimal
import io
import zoneinfo

from django.utils import translation
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from zoneops.core.files import exports
from zoneops.core.models import LoopCase, ObjectChange, Zone
from zoneops.core.ui.tables import Column


def test_xlsx_keeps_types_and_reads_back_in_openpyxl_and_calamine(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    utc = zoneinfo.ZoneInfo("UTC")
    row = [
        "长春 & <新区>",
        None,
        7,
        2.5,
        decimal.Decimal("1.50"),
        True,
        dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=utc),
        dt.date(2025, 10, 8),
        " padded ",
        "=HYPERLINK(1)",
        "",
        "bell\x07",
    ]
    handle = exports.write_xlsx(["名称", "B"], [row], sheet_title="审计/日志")
    content = handle.read()

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "审计_日志"
    assert sheet["A1"].value == "名称" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == [
        "长春 & <新区>",
        None,
        7,
        2.5,
        1.5,
        "是",  # as the page shows a yes/no
        dt.datetime(2025, 1, 2, 11, 4, 5),  # local time
        dt.datetime(2025, 10, 8),
        " padded ",
        "=HYPERLINK(1)",  # text, never a formula
        None,  # empty text: an empty cell
        "bell",
    ]
    assert sheet["G2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["H2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].number_format == "#,##0.00"  # an amount (万元, two decimals)
    assert sheet["J2"].data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B2"

    values = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert values[1][:8] == [
        "长春 & <新区>",
        "",
        7,
        2.5,
        1.5,
        "是",
        dt.datetime(2025, 1, 2, 11, 4, 5),
        dt.date(2025, 10, 8),
    ]


def test_xlsx_writes_the_filters_above_the_header_and_fits_the_widths():
    rows = [["长春光电科技有限公司", dt.date(2025, 1, 2), False]] * 3
    handle = exports.write_xlsx(
        ["企业名称", "成立日期", "链主"], rows, filters=[("状态", "双停"), ("园区", "长春高新区")]
    )
    sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet["A1"].value == "筛选条件：状态=双停；园区=长春高新区"
    assert [c.value for c in sheet[3]] == ["企业名称", "成立日期", "链主"]
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:C6"
    assert sheet["C4"].value == "否"
    # ten Chinese characters are twenty of Excel's width units; a date ten
    assert sheet.column_dimensions["A"].width >= 20
    assert 10 <= sheet.column_dimensions["B"].width <= 14


def test_column_getter_gives_what_value_gives(db):
    zone = Zone.objects.create(code="GX", name="长春高新区", kind=Zone.Kind.HI_TECH_ZONE)
    case = LoopCase(kind="appeal", zone=zone, title="诉求", state="open", limit_working_days=5)
    change = ObjectChange.objects.filter(object_id=zone.pk).first()
    columns = [
        (Zone, zone, Column("kind")),
        (Zone, zone, Column("name")),
        (Zone, zone, Column("parent__name")),
        (LoopCase, case, Column("zone__kind")),
        (LoopCase, case, Column("escalation")),
        (LoopCase, case, Column("zone__missing_attribute")),
        (ObjectChange, change, Column("action")),
        (ObjectChange, change, Column("time")),
        (
            ObjectChange,
            change,
            Column("content_type", accessor=lambda c: c.object_repr, depends_on="content_type_id"),
        ),
    ]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for model, obj, column in columns:
                assert column.getter(model)(obj) == column.value(obj), (language, column.name)
    with translation.override("zh-hans"):
        assert Column("kind").getter(Zone)(zone) == "高新区"


def sheet_cells(content: bytes) -> list[tuple[str, str | None, str]]:
    """(reference, type, text) of every cell of the first sheet, as stored in its XML."""
    import zipfile

    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        root = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    return [
        (c.get("r"), c.get("t"), etree.tostring(c[0], encoding="unicode") if len(c) else "")
        for c in root.iterfind(".//m:sheetData/m:row/m:c", ns)
    ]


def test_rows_written_whole_are_the_cells_xlsxwriter_writes_one_by_one(settings):
    """The export's row writer against XlsxWriter's own cell writers, for the first rows
    (measured for widths) and the rows after them (the fast loop)."""
    import xlsxwriter

    settings.TIME_ZONE = "Asia/Shanghai"
    tricky = [
        "plain 文本",
        " leading",
        "trailing\n",
        "a & b < c > d",
        "R&D 中心",
        "_x0041_ looks like an escape",
        "tab\there",
        "carriage\rreturn",
        "noncharacter \ufffe",
        "=SUM(A1)",
        7,
        -12345678901,
        decimal.Decimal("1234.50"),
        decimal.Decimal("0.125"),
        2.5,
        True,
        False,
        dt.datetime(2025, 1, 2, 3, 4, 5, 600000, tzinfo=zoneinfo.ZoneInfo("UTC")),
        dt.datetime(2025, 1, 2, 3, 4, 5),
        dt.date(2025, 10, 8),
        None,
        "",
        Zone.Kind.HI_TECH_ZONE,  # choices: a str subclass …
        LoopCase.Escalation.OVERDUE,  # … and an int subclass
    ]
    rows = [tricky] * 3 + [["x"]] * exports.WIDTH_SAMPLE_ROWS + [tricky] * 3
    headers = [f"h{i}" for i in range(len(tricky))]
    ours = sheet_cells(exports.write_xlsx(headers, rows).read())

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    date, stamp = (
        book.add_format({"num_format": "yyyy-mm-dd"}),
        book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    )
    money = book.add_format({"num_format": "#,##0.00"})
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header)
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(row, column, "是" if value else "否")
            elif isinstance(value, str):
                sheet.write_string(row, column, str(value))
            elif isinstance(value, dt.datetime):
                local = (
                    value.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")) if value.tzinfo else value
                )
                sheet.write_datetime(row, column, local.replace(tzinfo=None), stamp)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, column, value, date)
            elif isinstance(value, decimal.Decimal) and value.as_tuple().exponent != -2:
                sheet.write_number(row, column, float(value))
            elif isinstance(value, decimal.Decimal | float):
                sheet.write_number(row, column, float(value), money)
            else:
                sheet.write_number(row, column, value)
    book.close()
    theirs = sheet_cells(buffer.getvalue())
    assert len(ours) == len(theirs) > 2 * len(tricky)
    assert ours == theirs


def test_export_rows_from_values_are_the_rows_from_instances(db):
    from zoneops.core.ui.generic import export_rows
    from zoneops.core.ui.views import ObjectChangeListView

    Zone.objects.create(code="GX", name="长春高新区", kind=Zone.Kind.HI_TECH_ZONE)
    Zone.objects.create(code="GY", name="<园区> & 二", kind=Zone.Kind.INDUSTRIAL_PARK)
    assert ObjectChange.objects.count() >= 2
    columns = [c.bind(ObjectChange) for c in ObjectChangeListView.columns]
    assert all(c.value_source(ObjectChange) for c in columns)  # the audit export reads values
    qs = ObjectChange.objects.order_by("-time", "-id")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            from_values = list(export_rows(ObjectChange, qs, columns))
            from_instances = [[c.value(obj) for c in columns] for obj in qs]
            assert from_values == from_instances
    # a column only an instance can give (a relation shown as its text): instances throughout
    zone_columns = [Column("name").bind(Zone), Column("parent").bind(Zone)]
    assert Column("parent").value_source(Zone) is None
    rows = list(export_rows(Zone, Zone.objects.order_by("code"), zone_columns))
    assert rows == [["长春高新区", None], ["<园区> & 二", None]]
