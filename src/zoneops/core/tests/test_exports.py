import datetime as dt
import decimal
import io
import zoneinfo

from django.utils import translation
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from zoneops.core import exports
from zoneops.core.models import LoopCase, ObjectChange, Zone
from zoneops.core.tables import Column


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
