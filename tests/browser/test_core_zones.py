"""The zones list (search, filter, sort, export) and the bulk import, in the browser.

The zones pages are built from the generic list and import views, so these tests also stand
for every app's list and import pages.
"""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_rows(page) -> list[list[str]]:
    """The list table's body as text, one list of cells per row."""
    return page.locator("#object-table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )


def column(page, index: int) -> list[str]:
    return [row[index] for row in table_rows(page)]


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def xlsx_upload(name: str, rows: list[list]) -> dict:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": name, "mimeType": XLSX, "buffer": buffer.getvalue()}


def sheet_rows(path) -> list[list]:
    # Playwright keeps downloads under names without a suffix, which openpyxl refuses.
    with open(path, "rb") as handle:
        workbook = load_workbook(handle, read_only=True)
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    return rows


def test_zone_list_search_filter_and_sort(login_as, users, url, screenshot):
    page = login_as(users["admin"])
    page.goto(url("/zones/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("区域")
    expect(page.locator("#result-count")).to_have_text("共 7 条记录")
    # Default order: the tree, parents before their children.
    assert column(page, 1) == [
        "吉林省",
        "长春市",
        "长春新区",
        "长春高新区",
        "光电产业园",
        "北湖区",
        "长春经开区",
    ]

    page.get_by_label("搜索").fill("长春")
    page.locator("#apply-filters").click()
    expect(page.locator("#result-count")).to_have_text("共 4 条记录")
    assert query(page)["q"] == ["长春"]
    assert sorted(column(page, 1)) == sorted(["长春市", "长春新区", "长春高新区", "长春经开区"])
    expect(page.get_by_label("搜索")).to_have_value("长春")

    # Filters narrow the search further; the search term stays.
    page.get_by_label("类型").select_option(label=["高新区", "经开区"])
    page.locator("#apply-filters").click()
    expect(page.locator("#result-count")).to_have_text("共 2 条记录")
    assert query(page)["kind"] == ["hi_tech_zone", "econ_dev_zone"]
    assert sorted(column(page, 1)) == ["长春经开区", "长春高新区"]
    assert sorted(column(page, 2)) == ["经开区", "高新区"]

    # A click on a column header sorts by it, a second click reverses; filters stay.
    header = page.locator("#object-table thead").get_by_role("link", name=re.compile("^代码"))
    header.click()
    expect(header).to_have_text("代码 ▲")
    assert query(page)["sort"] == ["code"]
    assert column(page, 0) == ["GX", "JK"]
    header.click()
    expect(header).to_have_text("代码 ▼")
    assert query(page)["sort"] == ["-code"]
    assert query(page)["q"] == ["长春"]
    assert column(page, 0) == ["JK", "GX"]
    expect(page.locator("#result-count")).to_have_text("共 2 条记录")
    screenshot()

    # A search that matches nothing says so.
    page.get_by_label("搜索").fill("不存在的园区")
    page.locator("#apply-filters").click()
    expect(page.locator("#object-table tbody")).to_have_text("没有找到记录。")


def test_zone_export_holds_the_filtered_sorted_rows(login_as, users, url, screenshot):
    page = login_as(users["admin"])
    page.goto(url("/zones/?q=长春&kind=hi_tech_zone&kind=econ_dev_zone&kind=sub_zone&sort=-code"))
    expect(page.locator("#result-count")).to_have_text("共 2 条记录")
    shown = table_rows(page)
    # The record's columns (the tree's figures, subtotals of sub-zones, are not exported).
    headers = page.locator("#object-table thead th:not(.figure-col)").all_inner_texts()
    screenshot()

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert re.fullmatch(r"zone-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    rows = sheet_rows(download.path())

    # The filters that were applied head the sheet, then the table.
    filters, rows = rows[0], [row for row in rows[1:] if any(v not in (None, "") for v in row)]
    assert filters[0].startswith("筛选条件") and "长春" in filters[0] and "高新区" in filters[0]
    # The same columns, the same rows in the same order as on the page, and no others.
    assert [h.replace("▼", "").strip() for h in headers] == rows[0]
    assert [row[:2] for row in rows[1:]] == [["JK", "长春经开区"], ["GX", "长春高新区"]]
    # An empty cell is blank in the workbook and "—" on the page.
    # (a row may end early where its last cells are empty)
    width = len(rows[0])
    padded = [row + [None] * (width - len(row)) for row in rows[1:]]
    assert [[str(v) if v not in (None, "") else "—" for v in row] for row in padded] == [
        row[:width] for row in shown
    ]


def test_zone_import_bad_row_writes_nothing_then_good_file_imports(
    login_as, users, zone_tree, url, screenshot, page_errors
):
    from zoneops.core.models import ObjectChange, Zone

    zones_before = Zone.objects.count()
    changes_before = ObjectChange.objects.count()
    header = ["代码", "名称", "类型", "上级区域", "行政区划代码", "数据来源"]
    good = [
        ["GX-P2", "生物医药产业园", "产业园", "GX", "", "导入测试"],
        ["GX-P3", "硅谷街道", "街道", "GX", "220173", "导入测试"],
        ["GX-P4", "光电产业园二期", "产业园", "GX-P2", "", "导入测试"],  # parent from row 2
    ]
    bad = [good[0], [*good[1][:4], "22017", "导入测试"], good[2]]

    page = login_as(users["admin"])  # the zone tree is the system administrator's
    page.goto(url("/zones/"))
    page.get_by_role("link", name="导入").click()
    expect(page).to_have_url(url("/zones/import/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("导入区域")

    page.locator("#id_file").set_input_files(xlsx_upload("zones.xlsx", [header, *bad]))
    # The refused file is answered "422 Unprocessable", which chromium logs as a console error.
    page_errors.allow("the server responded with a status of 422")
    page.locator("#import-submit").click()
    summary = page.locator("#import-errors-summary")
    expect(summary).to_contain_text("未导入任何数据:发现 1 处问题。")
    errors = page.locator("#import-errors")
    expect(errors.locator("thead")).to_have_text(re.compile(r"^\s*行\s*字段\s*值\s*原因\s*$"))
    rows = errors.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    assert rows == [["3", "行政区划代码", "22017", "GB/T 2260 行政区划代码为 6 位数字。"]]
    screenshot("row-error")

    with page.expect_download() as info:
        summary.get_by_role("link", name="下载问题清单(.xlsx)").click()
    assert info.value.suggested_filename == "zone-import-errors.xlsx"
    assert sheet_rows(info.value.path()) == [
        ["行", "字段", "值", "原因"],
        [3, "行政区划代码", "22017", "GB/T 2260 行政区划代码为 6 位数字。"],
    ]

    # Nothing of the file was written, not even its good rows, and nothing was audited.
    assert Zone.objects.count() == zones_before
    assert not Zone.objects.filter(code__in=["GX-P2", "GX-P3", "GX-P4"]).exists()
    assert ObjectChange.objects.count() == changes_before

    page.locator("#id_file").set_input_files(xlsx_upload("zones.xlsx", [header, *good]))
    page.locator("#import-submit").click()
    expect(page).to_have_url(url("/zones/"))
    expect(page.get_by_role("alert")).to_have_text("导入完成:新增 3 条,更新 0 条。")
    screenshot("imported")
    page.get_by_label("搜索").fill("GX-P")
    page.get_by_label("搜索").press("Enter")
    expect(page.locator("#result-count")).to_have_text("共 4 条记录")
    names = {row[1]: row for row in table_rows(page)}
    assert set(names) == {"光电产业园", "生物医药产业园", "硅谷街道", "光电产业园二期"}
    assert names["硅谷街道"][2:5] == ["街道", "长春高新区", "220173"]
    assert names["光电产业园二期"][3] == "生物医药产业园"

    created = Zone.objects.get(code="GX-P4")
    assert created.parent.code == "GX-P2"
    assert created.parent.parent == zone_tree["hitech"]
    assert ObjectChange.objects.count() == changes_before + 3
