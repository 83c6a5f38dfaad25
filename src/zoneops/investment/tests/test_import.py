"""Excel import of investment leads: all or nothing, rows named, re-import updates."""

from django.core.files.uploadedfile import SimpleUploadedFile

from zoneops.core.models import ObjectChange
from zoneops.core.ui.testing import xlsx_bytes
from zoneops.investment.models import Lead, StageChange
from zoneops.investment.tests.factories import D, make_lead

HEADERS = [
    "线索名称", "园区", "投资方", "联系人", "联系电话", "来源地", "产业链", "招商方式",
    "意向投资额(万元)", "责任人", "获取日期",
]  # fmt: skip
URL = "/investment/leads/import/"


def xlsx(rows, headers=HEADERS):
    return SimpleUploadedFile("招商线索台账.xlsx", xlsx_bytes(headers, rows))


def row(name, *, zone="GX", place="苏州市", method="产业链招商", phone="13912345678", day=None):
    return [
        name, zone, "苏州某新能源有限公司", "李总", phone, place, "新能源汽车", method, 80000,
        "gx_staff", day or D(2025, 10, 9),
    ]  # fmt: skip


def test_leads_come_in_with_region_deadlines_and_a_first_stage(client_for, users, zone_tree):
    response = client_for(users["staff"]).post(
        URL, {"file": xlsx([row("动力电池项目"), row("氢能装备项目", place="440300")])}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    battery = Lead.objects.get(name="动力电池项目")
    assert battery.zone == zone_tree["hitech"] and battery.source_division == "320500"
    assert battery.source_region == "yrd" and battery.method == Lead.Method.CHAIN
    assert battery.responsible == users["staff"] and battery.stage == Lead.Stage.LEAD
    assert battery.first_contact_due == D(2025, 10, 10)  # one working day
    assert Lead.objects.get(name="氢能装备项目").source_region == "prd"
    assert StageChange.objects.filter(lead=battery).count() == 1
    assert ObjectChange.objects.filter(object_repr="动力电池项目", action="create").exists()


def test_the_list_offers_the_import_and_its_template(client_for, users, zone_tree):
    client = client_for(users["staff"])
    assert f'href="{URL}"' in client.get("/investment/leads/").content.decode()
    page = client.get(URL).content.decode()
    assert "区域代码" in page
    template = client.get(URL, {"template": "xlsx"})
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_a_row_of_a_known_lead_updates_it(client_for, users, zone_tree):
    lead = make_lead(zone_tree["hitech"], 1, name="动力电池项目", user=users["staff"])
    client = client_for(users["staff"])
    response = client.post(URL, {"file": xlsx([row("动力电池项目", place="广东省")])})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert Lead.objects.count() == 1 and lead.source_division == "440000"
    assert lead.investor_company == "苏州某新能源有限公司"


def test_one_bad_row_saves_nothing_and_each_error_names_row_and_field(client_for, users, zone_tree):
    rows = [
        row("动力电池项目"),
        row("未知园区项目", zone="NOPE"),
        row("别人园区项目", zone="JK"),  # 长春经开区: not this user's
        row("乱写方式项目", method="随便招"),
        row("坏电话项目", phone="call me"),
        row("未来项目", day=D(2099, 1, 1)),
        row("火星项目", place="火星"),
        row("动力电池项目"),  # twice in one file
    ]
    response = client_for(users["staff"]).post(URL, {"file": xlsx(rows)})
    assert response.status_code == 422
    assert not Lead.objects.exists()
    errors = {(e.row, e.field) for e in response.context["errors"]}
    assert {
        (3, "区域"),
        (4, "区域"),
        (5, "招商方式"),
        (6, "联系电话"),
        (7, "接收日期"),
        (8, "来源地区代码"),
        (9, "区域和项目名称"),
    } <= errors, errors
