"""Contacts imported from a spreadsheet (issue 4): all or nothing, found by USCC in the user's
zones, the same person at the same enterprise updated."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zoneops.core.ui.testing import field_error, xlsx_bytes
from zoneops.enterprises.models import Contact
from zoneops.enterprises.tests.factories import code, enterprise
from zoneops.enterprises.views import ContactImporter

pytestmark = pytest.mark.django_db

HEADERS = ["统一社会信用代码", "姓名", "职务", "手机/电话", "是否主要联系人"]


xlsx = xlsx_bytes


@pytest.fixture
def firms(zone_tree):
    return {
        "mine": enterprise(zone_tree["park"], 1),
        "also_mine": enterprise(zone_tree["hitech"], 2),
        "theirs": enterprise(zone_tree["econ"], 3),
    }


def test_contacts_are_imported_and_the_same_person_is_updated(users, firms):
    Contact.objects.create(enterprise=firms["mine"], name="王经理", role="经理", phone="")
    content = xlsx(
        HEADERS,
        [
            [code(1), "王经理", "总经理", "138 1234 1234", "是"],
            [code(2).lower(), "李会计", "财务", "0431-88600010", "否"],
            [code(1), "赵主任", "", "+86 13900001111", ""],
        ],
    )
    result = ContactImporter(users["staff"]).run("联系人.xlsx", content)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    wang = Contact.objects.get(enterprise=firms["mine"], name="王经理")
    assert (wang.role, wang.phone, wang.is_primary) == ("总经理", "13812341234", True)
    li = Contact.objects.get(enterprise=firms["also_mine"], name="李会计")
    assert (li.phone, li.is_primary, li.source) == ("043188600010", False, "import: 联系人.xlsx")
    assert Contact.objects.get(name="赵主任").phone == "13900001111"
    assert Contact.objects.count() == 3


def test_a_bad_row_writes_nothing_and_names_row_and_field(users, firms):
    content = xlsx(
        HEADERS,
        [
            [code(1), "王经理", "总经理", "13812341234", "是"],
            [code(2), "李会计", "财务", "12345", "否"],
            [code(2), "周工", "", "13812341234", "也许"],
            [code(1), "王经理", "", "", ""],
        ],
    )
    result = ContactImporter(users["staff"]).run("联系人.xlsx", content)
    assert not result.ok
    assert Contact.objects.count() == 0
    by_row = {(e.row, e.field): e for e in result.errors}
    assert set(by_row) == {(3, "电话"), (4, "主要联系人"), (5, "姓名")}
    assert "电话号码格式不正确" in by_row[(3, "电话")].reason
    assert by_row[(3, "电话")].value == "12345"
    assert by_row[(4, "主要联系人")].value == "也许"
    assert "第 2 行" in by_row[(5, "姓名")].reason


def test_an_enterprise_of_another_zone_is_not_found(users, firms):
    content = xlsx(HEADERS, [[code(3), "钱总", "", "13812341234", "是"]])
    result = ContactImporter(users["staff"]).run("联系人.xlsx", content)
    assert [(e.row, e.field) for e in result.errors] == [(2, "统一社会信用代码")]
    assert "未找到" in result.errors[0].reason
    assert not Contact.objects.exists()
    # Its own staff imports the same row.
    assert ContactImporter(users["other_staff"]).run("联系人.xlsx", content).created == 1


def test_the_import_page_explains_and_offers_a_template(client_for, users, firms):
    client = client_for(users["staff"])
    url = reverse("enterprises:contact_import")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="import-help"' in page and "统一社会信用代码" in page
    template = client.get(url + "?template=xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = b"".join(template.streaming_content)
    headers = [c.value for c in next(load_workbook(io.BytesIO(body)).active.rows)]
    assert headers[:4] == ["统一社会信用代码", "姓名", "职务", "电话"]
    bad = xlsx(HEADERS, [[code(3), "钱总", "", "13812341234", "是"]])
    upload = io.BytesIO(bad)
    upload.name = "联系人.xlsx"
    answer = client.post(url, {"file": upload})
    assert answer.status_code == 422 and not Contact.objects.exists()
    ok = io.BytesIO(xlsx(HEADERS, [[code(1), "王经理", "总经理", "13812341234", "是"]]))
    ok.name = "联系人.xlsx"
    assert client.post(url, {"file": ok}).status_code == 302
    assert Contact.objects.get().name == "王经理"


def test_the_contact_form_checks_the_phone(client_for, users, firms):
    client = client_for(users["staff"])
    url = reverse("enterprises:contact_add")
    data = {"enterprise": code(1), "name": "王经理", "phone": "call me"}
    assert client.post(url, data).status_code == 200
    assert not Contact.objects.exists()
    client.post(url, data | {"phone": "0431-88600010 转 801"})
    assert Contact.objects.get().phone == "043188600010-801"


def test_the_api_checks_the_phone_too(client_for, users, firms):
    client = client_for(users["staff"])
    data = {"enterprise": firms["mine"].pk, "name": "王经理", "phone": "12345"}
    answer = client.post("/api/contacts/", data, content_type="application/json")
    assert answer.status_code == 400 and field_error(answer, "phone")
    answer = client.post(
        "/api/contacts/",
        data | {"phone": "138-1234-1234"},
        content_type="application/json",
    )
    assert answer.status_code == 201 and Contact.objects.get().phone == "13812341234"
