"""Demo hazards for 长春高新区 (zone CCGX): a quarter's inspection round and its findings at
each stage of the loop; synthetic, modelled on seed 000 (牢牢守住安全生产底线) and seed 001
(精准管控风险隐患, 看牢守住安全底线)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from zoneops.core.models import Department, User, Zone
from zoneops.core.ops.demo import S000, S001
from zoneops.hazards import services
from zoneops.hazards.models import Hazard, InspectionRound

D = dt.date
SOURCE = f"演示数据（虚构），参照{S000}；{S001}"
# A 1×1 PNG standing in for the photo of a rectified site.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)

# title, category, level, place, description, remedy, steps
HAZARDS = [
    (
        "仓库消防通道堆放货物",
        "fire",
        "general",
        "示例医药物流有限公司2号仓库",
        "2号仓库东侧消防通道堆放纸箱，宽度不足。",
        "清理通道，划定禁止占用标线。",
        ["assign", "start", "evidence", "rectify", "verify", "close"],
    ),
    (
        "危化品库房可燃气体报警器失效",
        "chemicals",
        "major",
        "示例新材料科技有限公司危化品库",
        "库房可燃气体报警器未通电，无法报警。",
        "更换报警器并接入中控室，整改期间停止入库。",
        ["assign", "start"],
    ),
    (
        "在建厂房临边防护缺失",
        "construction",
        "general",
        "示例精密装备制造有限公司扩建工地",
        "三层楼板临边未设防护栏杆。",
        "设置1.2米防护栏杆和挡脚板。",
        ["assign", "start", "evidence", "rectify"],
    ),
]


@transaction.atomic
def seed() -> str:
    zone = Zone.objects.filter(code="CCGX").first()
    staff = User.objects.filter(username="gx_staff").first()
    liaison = User.objects.filter(username="gx_liaison").first()
    if zone is None or staff is None or liaison is None:
        return "no zone CCGX or its demo users"
    inspection, made = InspectionRound.objects.get_or_create(
        zone=zone,
        title="2025年四季度安全生产大检查",
        defaults={"planned_on": D(2025, 11, 12), "source": SOURCE},
    )
    if made:
        inspection.inspectors.set([staff, liaison])
    department = Department.objects.filter(zone=zone, name="应急管理局").first()
    # 三员分立: the system administrator takes no decision; the zone's staff close the loop.
    verifier = staff
    created = 0
    for title, category, level, place, text, remedy, steps in HAZARDS:
        if Hazard.objects.filter(title=title, source=SOURCE).exists():
            continue
        hazard = services.report_hazard(
            zone=zone,
            place=place,
            title=title,
            category=category,
            level=level,
            description=text,
            remedy=remedy,
            found_on=D(2025, 11, 12),
            inspection=inspection,
            acting_user=staff,
            source=SOURCE,
        )
        day = D(2025, 11, 13)
        for step in steps:
            if step == "evidence":
                services.add_photo(
                    hazard,
                    SimpleUploadedFile("整改后照片.png", PNG, "image/png"),
                    kind="evidence",
                    acting_user=liaison,
                )
                continue
            kwargs = {}
            actor = {"assign": staff, "verify": staff, "close": verifier}.get(step, liaison)
            if step == "assign":
                kwargs = {"department": department, "handler": liaison}
            if step == "rectify":
                kwargs = {"comment": "已按整改措施完成整改，附照片。"}
            hazard = services.transition(hazard, step, acting_user=actor, on=day, **kwargs)
            day += dt.timedelta(days=1)
        created += 1
    if not inspection.done_on:
        services.complete_round(inspection, acting_user=staff, on=D(2025, 11, 14))
    return f"{created} hazards, inspection round “{inspection.title}”"
