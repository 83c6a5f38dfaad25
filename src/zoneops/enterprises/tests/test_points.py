"""Enterprise coordinates: the registry import, the form and the export."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from zoneops.core.zones import geo
from zoneops.enterprises.forms import EnterpriseForm
from zoneops.enterprises.importers import EnterpriseImporter
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.tests.factories import code, enterprise
from zoneops.enterprises.tests.test_import import xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["统一社会信用代码", "单位详细名称", "所属园区", "经度", "纬度"]


def test_registry_import_reads_coordinates(zone_tree, users):
    existing = enterprise(zone_tree["park"], 3)
    content = xlsx(
        HEADERS,
        [
            [code(1), "甲公司", "GX-P1", 125.3245, "43.8868"],
            [code(2), "乙公司", "GX-P1", "", ""],
            [code(3), existing.name, "GX-P1", "125.25°", 43.83],
        ],
    )
    result = EnterpriseImporter(users["staff"]).run("registry.xlsx", content)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    first = Enterprise.objects.get(uscc=code(1))
    assert (first.longitude, first.latitude) == (Decimal("125.324500"), Decimal("43.886800"))
    assert Enterprise.objects.get(uscc=code(2)).longitude is None
    existing.refresh_from_db()
    assert (existing.longitude, existing.latitude) == (Decimal("125.25"), Decimal("43.83"))


def test_registry_import_refuses_half_points_and_points_outside_china(zone_tree, users):
    content = xlsx(
        HEADERS,
        [
            [code(1), "甲公司", "GX-P1", 125.3, ""],
            [code(2), "乙公司", "GX-P1", 125.3, 60.2],
            [code(3), "丙公司", "GX-P1", "abc", 43.8],
        ],
    )
    with translation.override("zh-hans"):
        result = EnterpriseImporter(users["staff"]).run("bad.xlsx", content)
    assert {(e.row, e.field, e.reason) for e in result.errors} == {
        (2, "纬度", "经度和纬度须同时填写或同时留空。"),
        (3, "纬度", "纬度不在中国境内。"),
        (4, "经度", "不是数字。"),
    }
    assert not Enterprise.objects.exists()


def test_form_checks_the_pair(zone_tree, users):
    data = {"uscc": code(1), "name": "甲公司", "zone": "GX-P1", "status": "operating"}
    form = EnterpriseForm({**data, "longitude": "125.3"}, user=users["staff"])
    assert not form.is_valid()
    assert "latitude" in form.errors
    good = EnterpriseForm({**data, "longitude": "125.3", "latitude": "43.9"}, user=users["staff"])
    assert good.is_valid(), good.errors


def test_export_offers_gcj02(client_for, users, zone_tree):
    enterprise(zone_tree["park"], 1, longitude=Decimal("125.3245"), latitude=Decimal("43.8868"))
    response = client_for(users["staff"]).get(
        reverse("enterprises:enterprise_list"), {"export": "xlsx"}
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header, first = list(book.active.values)[:2]
    expected = geo.wgs84_to_gcj02(Decimal("125.3245"), Decimal("43.8868"))
    assert first[list(header).index("纬度（GCJ-02，高德/腾讯）")] == pytest.approx(
        expected[1], abs=1e-6
    )


def test_edit_page_carries_the_map_picker(client_for, users, zone_tree):
    firm = enterprise(zone_tree["park"], 1)
    page = client_for(users["staff"]).get(reverse("enterprises:enterprise_edit", args=[firm.pk]))
    html = page.content.decode()
    assert "zoneops/map-picker.js" in html
    assert 'data-map-coordinate="latitude"' in html
    assert "<script>" not in html
