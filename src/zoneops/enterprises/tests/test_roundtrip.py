"""An export of the enterprise list comes back in: imported again, it changes nothing."""

import io
from decimal import Decimal

from django.forms.models import model_to_dict
from openpyxl import load_workbook

from zoneops.enterprises.importers import EnterpriseImporter
from zoneops.enterprises.models import Enterprise, IndustrialChain
from zoneops.enterprises.tests.factories import enterprise


def snapshot():
    return {
        e.uscc: model_to_dict(e, exclude=["id"]) | {"updated_at": None}
        for e in Enterprise.objects.order_by("uscc")
    }


def test_the_enterprise_list_exported_imports_again_unchanged(client_for, users, zone_tree):
    chain = IndustrialChain.objects.create(zone=zone_tree["hitech"], name="光电信息")
    enterprise(
        zone_tree["park"],
        1,
        name="长春光电科技有限公司",
        industry="3972",  # C3972 半导体分立器件制造
        status=Enterprise.Status.IDLE,  # 双停（停产停业）
        chain=chain,
        is_chain_leader=True,
        above_scale=True,
        registered_capital=Decimal("1200.50"),
        longitude=Decimal("125.351234"),
        latitude=Decimal("43.881234"),
    )
    enterprise(zone_tree["hitech"], 2, industry=None)
    before = snapshot()
    client = client_for(users["staff"])
    response = client.get("/enterprises/", {"export": "xlsx", "q": "测试"})
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "筛选条件：搜索=测试"
    header = rows[2]
    assert "状态" in header
    body = {r[header.index("统一社会信用代码")]: r for r in rows[3:]}
    assert list(body) == [Enterprise.objects.get(name="测试企业2").uscc]
    response = client.get("/enterprises/", {"export": "xlsx"})
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = rows[0]
    first = next(r for r in rows if r[0] == "长春光电科技有限公司")
    assert first[header.index("状态")] == "双停（停产停业）"
    assert first[header.index("行业")] == "C3972 半导体分立器件制造"
    assert first[header.index("链主企业")] == "是"

    result = EnterpriseImporter(users["staff"]).run("enterprises.xlsx", content)
    assert result.ok, [(e.row, e.field, e.value, e.reason) for e in result.errors]
    assert result.created == 0
    after = snapshot()
    for key, fields in before.items():
        assert {k: v for k, v in after[key].items() if v != fields[k]} == {}, key
