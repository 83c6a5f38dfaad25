import io

from openpyxl import Workbook, load_workbook

from zoneops.core.models import ObjectChange, Zone


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "zones.xlsx"
    return buffer


HEADERS = ["代码", "名称", "类型", "上级区域", "行政区划代码"]


def test_import_writes_all_rows_in_order(client_for, users, zone_tree):
    upload = xlsx(
        [
            HEADERS,
            ["GX-P2", "生物医药产业园", "产业园", "GX", ""],
            ["GX-P2-S", "硅谷街道", "街道", "GX-P2", "220173"],
        ]
    )
    response = client_for(users["staff"]).post("/zones/import/", {"file": upload})
    assert response.status_code == 302
    street = Zone.objects.get(code="GX-P2-S")
    assert street.parent.code == "GX-P2"
    assert street.path.startswith(zone_tree["hitech"].path)
    assert ObjectChange.objects.filter(object_repr="硅谷街道", action="create").exists()


def test_import_with_one_bad_row_writes_nothing_and_names_row_field_reason(
    client_for, users, zone_tree
):
    count = Zone.objects.count()
    changes = ObjectChange.objects.count()
    upload = xlsx(
        [
            HEADERS,
            ["GX-P3", "先进装备产业园", "产业园", "GX", ""],
            ["GX-P4", "氢能产业园", "产业园", "JK", ""],  # another zone's parent
            ["GX-P5", "新材料产业园", "不存在的类型", "GX", "12"],
            ["GX-P3", "重复", "产业园", "GX", ""],
        ]
    )
    client = client_for(users["staff"])
    response = client.post("/zones/import/", {"file": upload})
    assert response.status_code == 422
    assert Zone.objects.count() == count
    assert ObjectChange.objects.count() == changes
    errors = {(e.row, e.field) for e in response.context["errors"]}
    assert (3, "上级区域") in errors
    assert (4, "类型") in errors
    assert (4, "行政区划代码") in errors
    assert (5, "代码") in errors
    report = client.get(response.context["errors_url"])
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行", "字段", "值", "原因")
    assert len(rows) == 1 + len(response.context["errors"])


def test_import_csv_in_gb18030_updates_by_code(client_for, users, zone_tree):
    content = "代码,名称,类型,上级区域\nGX-P1,光电信息产业园,产业园,GX\n".encode("gb18030")
    upload = io.BytesIO(content)
    upload.name = "zones.csv"
    response = client_for(users["staff"]).post("/zones/import/", {"file": upload})
    assert response.status_code == 302
    assert Zone.objects.get(code="GX-P1").name == "光电信息产业园"


def test_import_rejects_unknown_file_types_and_missing_columns(client_for, users, zone_tree):
    client = client_for(users["staff"])
    upload = io.BytesIO(b"hello")
    upload.name = "zones.txt"
    response = client.post("/zones/import/", {"file": upload})
    assert ".xlsx" in response.context["file_error"]
    response = client.post("/zones/import/", {"file": xlsx([["代码"], ["X"]])})
    assert "名称" in response.context["file_error"]


def test_import_template_download(client_for, users):
    response = client_for(users["staff"]).get("/zones/import/", {"template": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("代码", "名称")
