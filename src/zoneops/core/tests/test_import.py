import io

import pytest
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
    response = client_for(users["admin"]).post("/zones/import/", {"file": upload})
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
            ["GX-P4", "氢能产业园", "产业园", "NOPE", ""],  # no such parent
            ["GX-P5", "新材料产业园", "不存在的类型", "GX", "12"],
            ["GX-P3", "重复", "产业园", "GX", ""],
        ]
    )
    client = client_for(users["admin"])
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
    response = client_for(users["admin"]).post("/zones/import/", {"file": upload})
    assert response.status_code == 302
    assert Zone.objects.get(code="GX-P1").name == "光电信息产业园"


def test_import_rejects_unknown_file_types_and_missing_columns(client_for, users, zone_tree):
    client = client_for(users["admin"])
    upload = io.BytesIO(b"hello")
    upload.name = "zones.txt"
    response = client.post("/zones/import/", {"file": upload})
    assert ".xlsx" in response.context["file_error"]
    response = client.post("/zones/import/", {"file": xlsx([["代码"], ["X"]])})
    assert "名称" in response.context["file_error"]


def test_import_template_download(client_for, users):
    response = client_for(users["admin"]).get("/zones/import/", {"template": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("代码", "名称")


def test_typed_reading_keeps_the_cells_and_skips_the_same_empty_rows():
    import datetime as dt

    from zoneops.core.files.imports import plain_cell, read_table

    content = xlsx(
        [
            ["代码", "数量", "日期"],
            ["A", 12, dt.date(2025, 3, 1)],
            ["  ", None, None],  # blank: skipped either way
            [None, 0, None],  # a zero is a value
            ["B", 1.5, "2025-03-02 "],
        ]
    ).getvalue()
    headers, texts = read_table("t.xlsx", content)
    typed_headers, typed = read_table("t.xlsx", content, typed=True)
    assert headers == typed_headers == ["代码", "数量", "日期"]
    assert [number for number, _cells in typed] == [number for number, _cells in texts] == [2, 4, 5]
    assert [list(map(plain_cell, cells)) for _number, cells in typed] == [c for _n, c in texts]
    assert typed[0][1][1] == 12 and not isinstance(typed[0][1][1], str)


@pytest.mark.django_db
def test_inserted_ids_are_known_without_reading_the_rows_back(zone_tree):
    from django.db import connection

    from zoneops.core.audit import bulk
    from zoneops.core.audit.bulk import inserted_pks
    from zoneops.projects.models import Project
    from zoneops.projects.tests.factories import make_project

    if connection.vendor != "sqlite":
        assert inserted_pks(Project, 1) is None
        return
    make_project(zone_tree["park"], 1)
    template = {
        f.attname: getattr(Project.objects.get(), f.attname)
        for f in Project._meta.concrete_fields
        if not f.primary_key
    }
    bulk.insert_dicts(Project, [dict(template, code=f"N-{i}") for i in range(3)])
    pks = inserted_pks(Project, 3)
    assert [Project.objects.get(pk=pk).code for pk in pks] == ["N-0", "N-1", "N-2"]
    # Ids are counted, not taken on trust: the range of five ids up to the last one holds
    # four rows (the first project's id and the three new ones are all there is).
    assert inserted_pks(Project, 5) is None


def test_the_collector_is_paused_during_an_import_and_resumes_after_an_error():
    import gc

    from zoneops.core.files.imports import gc_paused

    @gc_paused
    def failing():
        assert not gc.isenabled()
        raise ValueError

    with pytest.raises(ValueError):
        failing()
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_audit_trail_has_no_index_on_content_type_alone():
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "core_objectchange")
    indexed = [info["columns"] for info in constraints.values() if info["index"]]
    assert ["content_type_id"] not in indexed
    assert ["content_type_id", "object_id", "time"] in indexed  # objchange_object serves it


@pytest.mark.django_db
def test_rows_written_through_json_are_stored_as_executemany_stores_them():
    import datetime as dt
    from decimal import Decimal

    from django.db import connection

    from zoneops.core.audit.bulk import json_rows

    if connection.vendor != "sqlite":
        pytest.skip("executemany is the way on other databases")
    rows = [
        ('引号"\\ 😀\n\u2028', 2**62, Decimal("12.50"), dt.date(2025, 1, 2), True),
        ("", -1, Decimal("1E+2"), None, False),
        ("12345", 0, None, dt.date(2000, 12, 31), None),
    ]
    columns = "a, b, c, d, e, f"
    with connection.cursor() as cursor:
        for table in ("t_json", "t_many"):
            cursor.execute(
                f"CREATE TEMP TABLE {table} "
                "(a text, b bigint, c decimal, d date, e bool, f varchar(10))"
            )
        assert json_rows(cursor, "t_json", columns, 5, rows, ("k",))
        cursor.executemany(
            "INSERT INTO t_many (a, b, c, d, e, f) VALUES (%s, %s, %s, %s, %s, %s)",
            [(*row, "k") for row in rows],
        )
        assert not json_rows(cursor, "t_json", columns, 2, [("a", 1.5)])  # floats
        assert not json_rows(cursor, "t_json", columns, 2, [("a\x00b", 1)])  # NUL
        stored = {}
        for table in ("t_json", "t_many"):
            cursor.execute(
                "SELECT a, typeof(a), b, typeof(b), c, typeof(c), d, e, typeof(e), f "
                f"FROM {table} ORDER BY rowid"
            )
            stored[table] = cursor.fetchall()
    assert stored["t_json"] == stored["t_many"]
    assert len(stored["t_json"]) == 3
