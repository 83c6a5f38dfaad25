import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import Workbook

from zoneops.core.models import ObjectChange
from zoneops.enterprises import services
from zoneops.enterprises.importers import EnterpriseImporter, FigureImporter
from zoneops.enterprises.models import Enterprise, IndustrialChain, MonthlyFigure
from zoneops.enterprises.tests.factories import code, enterprise

pytestmark = pytest.mark.django_db

HEADERS = [
    "统一社会信用代码",
    "单位详细名称",
    "所属园区",
    "行业代码",
    "产业链",
    "链主企业",
    "经营状态",
    "四上企业",
    "注册资本(万元)",
    "成立日期",
]


def xlsx(headers, rows, title_row=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def test_enterprise_import_creates_updates_and_audits(zone_tree, users):
    IndustrialChain.objects.create(zone=zone_tree["hitech"], name="生物医药")
    existing = enterprise(zone_tree["park"], 2, name="旧名称")
    content = xlsx(
        HEADERS,
        [
            [
                code(1),
                "长春某药业有限公司",
                "GX-P1",
                "C2761",
                "生物医药",
                "是",
                "营业",
                "是",
                5000,
                "2010-05-01",
            ],
            [code(2), "新名称", "光电产业园", "3976", "", "否", "双停", "否", "", ""],
        ],
        title_row="2025年规上工业企业名录",
    )
    result = EnterpriseImporter(users["staff"]).run("名录.xlsx", content)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    new = Enterprise.objects.get(uscc=code(1))
    assert new.zone == zone_tree["park"] and new.industry.code == "2761"
    assert new.is_chain_leader and new.above_scale and new.registered_capital == 5000
    assert new.founded_on.isoformat() == "2010-05-01" and new.source == "import: 名录.xlsx"
    existing.refresh_from_db()
    assert existing.name == "新名称" and existing.status == "idle"
    types = ContentType.objects.get_for_model(Enterprise)
    created = ObjectChange.objects.get(content_type=types, object_id=new.pk)
    assert created.action == "create" and created.zone_id == zone_tree["park"].pk
    assert created.changes["uscc"]["after"] == code(1)
    assert created.changes["registered_capital"]["after"] == "5000.00"
    updated = ObjectChange.objects.get(content_type=types, object_id=existing.pk, action="update")
    assert updated.changes["name"] == {"before": "旧名称", "after": "新名称"}


def test_enterprise_import_is_all_or_nothing_with_row_errors(zone_tree, users):
    other = enterprise(zone_tree["econ"], 9)
    bad_check = code(3)[:-1] + ("0" if code(3)[-1] != "0" else "1")
    content = xlsx(
        HEADERS,
        [
            [code(1), "好企业", "GX-P1", "2761", "", "", "", "", "", ""],
            [bad_check, "校验码错", "GX-P1", "", "", "", "", "", "", ""],
            [code(4), "未知园区", "NOPE", "", "", "", "", "", "", ""],
            [code(1), "重复", "GX-P1", "", "", "", "", "", "", ""],
            [code(5), "资本非数字", "GX-P1", "", "", "", "", "", "很多", ""],
            [code(6), "经开区的园区", "JK", "", "", "", "", "", "", ""],
            [code(7), "行业错", "GX-P1", "9999", "", "", "", "", "", ""],
        ],
    )
    result = EnterpriseImporter(users["staff"]).run("bad.xlsx", content)
    from django.utils.translation import gettext as _

    rows = {(e.row, e.field) for e in result.errors}
    zone = _("zone")
    assert rows == {
        (3, "统一社会信用代码"),
        (4, zone),
        (5, "统一社会信用代码"),
        (6, "注册资本（万元）"),
        (7, zone),
        (8, "行业"),
    }
    assert Enterprise.objects.count() == 1  # only the one made above
    # A code registered in a zone the user may not change:
    content = xlsx(HEADERS, [[other.uscc, "别人的", "GX-P1", "", "", "", "", "", "", ""]])
    result = EnterpriseImporter(users["staff"]).run("x.xlsx", content)
    assert [e.row for e in result.errors] == [2]
    other.refresh_from_db()
    assert other.zone == zone_tree["econ"]


FIG_HEADERS = [
    "统一社会信用代码",
    "单位详细名称",
    "报告期",
    "营业收入(本年累计,万元)",
    "工业总产值(本年累计,万元)",
    "税金总额(万元)",
    "从业人员期末人数",
]


def test_figure_import_creates_updates_and_audits(zone_tree, users):
    a = enterprise(zone_tree["park"], 1)
    b = enterprise(zone_tree["hitech"], 2)
    MonthlyFigure.objects.create(enterprise=b, year=2025, month=3, main_revenue=1)
    content = xlsx(
        FIG_HEADERS,
        [
            [a.uscc, a.name, "2025-03", 1234.5, 1000, -3.25, 88],
            [b.uscc, b.name, "2025年3月", "2,000.10", "", "", 12],
            [a.uscc, a.name, 202504, 2000, 1500, 10, 90],
        ],
    )
    result = FigureImporter(users["liaison"]).run("2025-03.xlsx", content)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    march = MonthlyFigure.objects.get(enterprise=a, year=2025, month=3)
    assert (march.main_revenue, march.tax_paid, march.employees) == (
        Decimal("1234.50"),
        Decimal("-3.25"),
        88,
    )
    assert MonthlyFigure.objects.get(enterprise=b, month=3).main_revenue == Decimal("2000.10")
    types = ContentType.objects.get_for_model(MonthlyFigure)
    audit = ObjectChange.objects.get(content_type=types, object_id=march.pk)
    assert (audit.action, audit.user_name) == ("create", users["liaison"].username)
    assert audit.changes["main_revenue"]["after"] == "1234.50"
    assert audit.object_repr == f"{a.name} 2025-03" and audit.zone_id == zone_tree["park"].pk
    update = ObjectChange.objects.get(content_type=types, action="update")
    assert update.changes["main_revenue"] == {"before": "1.00", "after": "2000.10"}


def test_figure_import_row_errors_and_locked_month(zone_tree, users):
    a = enterprise(zone_tree["park"], 1)
    other = enterprise(zone_tree["econ"], 2)
    services.approve_month(zone_tree["hitech"], 2025, 2, acting_user=users["staff"])
    content = xlsx(
        FIG_HEADERS,
        [
            [a.uscc, "", "2025-03", 100, 0, 0, 1],
            [a.uscc, "", "2025-03", 100, 0, 0, 1],  # duplicate
            [a.uscc, "", "2025-13", 100, 0, 0, 1],  # bad month
            [a.uscc, "", "2025-04", "一百", 0, 0, 1],  # not a number
            [a.uscc, "", "2025-05", -5, 0, 0, 1],  # negative revenue
            [a.uscc, "", "2025-06", 5, 0, 0, 1.5],  # employees not whole
            ["91350100M000100Y44", "", "2025-03", 1, 0, 0, 1],  # bad USCC
            [other.uscc, "", "2025-03", 1, 0, 0, 1],  # another zone's
        ],
    )
    result = FigureImporter(users["staff"]).run("f.xlsx", content)
    assert sorted(e.row for e in result.errors) == [3, 4, 5, 6, 7, 8, 9]
    assert MonthlyFigure.objects.count() == 0
    locked = xlsx(
        FIG_HEADERS, [[a.uscc, "", "2025-02", 1, 0, 0, 1], [a.uscc, "", "2025-01", 1, 0, 0, 1]]
    )
    result = FigureImporter(users["staff"]).run("f.xlsx", locked)
    assert [(e.row, e.value) for e in result.errors] == [(2, "2025-02")]
    assert MonthlyFigure.objects.count() == 0


def test_import_pages(client_for, users, zone_tree):
    a = enterprise(zone_tree["park"], 1)
    client = client_for(users["liaison"])
    upload = io.BytesIO(xlsx(FIG_HEADERS, [[a.uscc, "", "2025-03", 100, 0, 0, 1]]))
    upload.name = "figures.xlsx"
    response = client.post("/enterprises/figures/import/", {"file": upload})
    assert response.status_code == 302
    assert MonthlyFigure.objects.filter(enterprise=a).count() == 1
    # Liaison cadres do not import the registry.
    assert client.get("/enterprises/import/").status_code == 403
    staff = client_for(users["staff"])
    bad = io.BytesIO(xlsx(HEADERS, [["123", "x", "GX", "", "", "", "", "", "", ""]]))
    bad.name = "e.xlsx"
    response = staff.post("/enterprises/import/", {"file": bad})
    assert response.status_code == 422
    assert "18" in response.content.decode()


def test_fast_updates_store_what_bulk_update_stores(zone_tree):
    import datetime as dt

    from django.db import connection

    from zoneops.core.audit import bulk

    first, second = enterprise(zone_tree["park"], 1), enterprise(zone_tree["park"], 2)
    fields = ["name", "founded_on", "registered_capital", "industry", "above_scale", "latitude"]
    for obj in (first, second):
        obj.name = "改名“甲”"
        obj.founded_on = dt.date(2020, 2, 29)
        obj.registered_capital = Decimal("100.00")
        obj.industry = None
        obj.above_scale = True
        obj.latitude = Decimal("43.880000")
    bulk.update(Enterprise, [first], fields)
    Enterprise.objects.bulk_update([second], fields)
    columns = "name, founded_on, registered_capital, typeof(registered_capital), industry_id, "
    columns += "above_scale, latitude"
    if connection.vendor != "sqlite":
        columns = columns.replace("typeof(registered_capital), ", "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM enterprises_enterprise WHERE id IN (%s, %s) ORDER BY id",
            [first.pk, second.pk],
        )
        stored_first, stored_second = cursor.fetchall()
    assert stored_first == stored_second


def test_an_industry_table_reloaded_between_two_imports_is_read_afresh(zone_tree, users):
    from zoneops.enterprises.models import Industry

    row = [code(1), "长春某药业有限公司", "GX-P1", "C2761", "", "否", "营业", "否", "", ""]
    assert EnterpriseImporter(users["staff"]).run("a.xlsx", xlsx(HEADERS, [row])).ok
    Enterprise.objects.all().delete()
    # the table reloaded (a restore, a new edition of the standard): the same code, another id
    old = Industry.objects.get(code="2761")
    Industry.objects.filter(pk=old.pk).delete()
    reloaded = Industry.objects.create(
        code="2761", name=old.name, level=old.level, section=old.section, parent=old.parent
    )
    result = EnterpriseImporter(users["staff"]).run("b.xlsx", xlsx(HEADERS, [row]))
    assert result.ok, result.errors
    assert Enterprise.objects.get(uscc=code(1)).industry == reloaded
