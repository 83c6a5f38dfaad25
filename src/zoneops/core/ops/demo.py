"""Demo data derived from the seed articles: each record says where it came from."""

import secrets

from django.db import transaction

from zoneops.core.access.context import acting_as
from zoneops.core.access.roles import Role
from zoneops.core.accounts.models import User
from zoneops.core.zones.geo import feature_collection, ring
from zoneops.core.zones.models import Department, Zone

S000 = "种子文章 000 · 吉林日报 2025 · 长春高新区:实干笃行决胜全年目标"
S001 = "种子文章 001 · 吉林日报 2024 · 奋进二〇二四 (长春新区 '2+5+10' 总策略)"
S002 = "种子文章 002 · 江城日报 2024-01-05 · 访吉林高新区党工委书记张守华"
S003 = "种子文章 003 · 江城日报 2023-04-21 · 加快建设创新驱动发展示范区 (吉林高新区)"
S004 = "种子文章 004 · 人民网 2022-10-12 · 区县领导访谈·经开区 (长春经开区)"
NBS = "区划代码：国家统计局统计用区划代码（依据 GB/T 2260）"

# code, name, kind, parent code, division code, source
ZONES = [
    ("JL", "吉林省", Zone.Kind.PROVINCE, None, "220000", f"{S001}; {NBS}"),
    ("JL-CC", "长春市", Zone.Kind.CITY, "JL", "220100", f"{S001}; {NBS}"),
    ("JL-JLC", "吉林市", Zone.Kind.CITY, "JL", "220200", f"{S002}; {NBS}"),
    ("CCXQ", "长春新区", Zone.Kind.NATIONAL_NEW_AREA, "JL-CC", "", S001),
    (
        "CCGX",
        "长春高新区",
        Zone.Kind.HI_TECH_ZONE,
        "CCXQ",
        "220173",
        f"{S000} (国家级新区核心区); {S001} (高新区引领型发展); {NBS}",
    ),
    (
        "CCBH",
        "北湖区",
        Zone.Kind.SUB_ZONE,
        "CCXQ",
        "",
        f"{S001} (北湖未来科学城, 促进北湖区跨越式发展)",
    ),
    ("CCLK", "临空区", Zone.Kind.SUB_ZONE, "CCXQ", "", f"{S001} (加快临空区特色化发展)"),
    ("CCJK", "长春经开区", Zone.Kind.ECON_DEV_ZONE, "JL-CC", "220171", f"{S004}; {NBS}"),
    (
        "CCJK-XL",
        "兴隆综合保税区",
        Zone.Kind.BONDED_ZONE,
        "CCJK",
        "",
        f"{S004} (长春兴隆综合保税区)",
    ),
    ("JLGX", "吉林高新区", Zone.Kind.HI_TECH_ZONE, "JL-JLC", "220272", f"{S002}; {S003}; {NBS}"),
    ("JLGX-S", "吉林高新南区", Zone.Kind.SUB_ZONE, "JLGX", "", f"{S003} (南优北兴)"),
    (
        "JLGX-N",
        "吉林高新北区",
        Zone.Kind.SUB_ZONE,
        "JLGX",
        "",
        f"{S003} (高新北区, 氢能装备制造产业园)",
    ),
]

# Approximate outlines (WGS-84) drawn by hand for the demo map: not surveyed boundaries.
BOUNDARY_SOURCE = "演示数据（虚构）：为演示地图手绘的大致范围，并非测绘边界"
_GX = ring(
    (125.195, 43.815), (125.245, 43.800), (125.320, 43.812),
    (125.335, 43.850), (125.290, 43.872), (125.215, 43.865),
)  # fmt: skip
_BH = ring(
    (125.370, 43.945), (125.440, 43.938), (125.480, 43.975),
    (125.460, 44.030), (125.395, 44.035), (125.360, 43.990),
)  # fmt: skip
_LK = ring(
    (125.640, 43.960), (125.720, 43.955), (125.760, 44.000),
    (125.730, 44.060), (125.660, 44.055), (125.630, 44.010),
)  # fmt: skip
_XQ = ring(
    (125.180, 43.790), (125.350, 43.790), (125.500, 43.900), (125.780, 43.940),
    (125.790, 44.080), (125.350, 44.060), (125.180, 43.880),
)  # fmt: skip
_JK = ring(
    (125.345, 43.835), (125.420, 43.825), (125.455, 43.860), (125.430, 43.895), (125.360, 43.890)
)
_XL = ring((125.500, 43.915), (125.545, 43.912), (125.550, 43.940), (125.505, 43.943))
_JS = ring(
    (126.495, 43.805), (126.560, 43.800), (126.575, 43.835), (126.530, 43.850), (126.490, 43.835)
)
_JN = ring(
    (126.470, 43.930), (126.540, 43.925), (126.555, 43.965), (126.500, 43.985), (126.465, 43.960)
)
# zone code → polygons (each a list of rings)
BOUNDARIES = {
    "CCXQ": [[_XQ]],
    "CCGX": [[_GX]],
    "CCBH": [[_BH]],
    "CCLK": [[_LK]],
    "CCJK": [[_JK], [_XL]],
    "CCJK-XL": [[_XL]],
    "JLGX": [[_JS], [_JN]],
    "JLGX-S": [[_JS]],
    "JLGX-N": [[_JN]],
}

DEPARTMENT_SOURCE = "演示数据（虚构）：管委会常设的内设部门"
DEPARTMENTS = ["经济发展局", "投资促进局", "科技创新局", "营商环境建设局", "应急管理局"]
DEPARTMENT_ZONES = ["CCGX", "CCJK", "JLGX"]

# username, surname, given name, role, granted zone codes
DEMO_USERS = [
    ("gx_staff", "王", "敏", Role.STAFF, ["CCGX"]),
    ("gx_liaison", "李", "强", Role.LIAISON, ["CCGX"]),
    ("xq_leader", "张", "伟", Role.LEADER, ["CCXQ"]),
    ("jk_staff", "刘", "洋", Role.STAFF, ["CCJK"]),
    ("jl_staff", "陈", "静", Role.STAFF, ["JLGX"]),
    # 三员分立: the system administrator is "admin" (zoneops createadmin); these are the other two.
    ("sec_admin", "赵", "安", Role.SECURITY_ADMIN, []),
    ("auditor", "孙", "审", Role.AUDITOR, []),
]
DEMO_USER_SOURCE = "演示数据（虚构）：演示账号"


@transaction.atomic
def seed_zones() -> int:
    created = 0
    by_code = {}
    for code, name, kind, parent_code, division_code, source in ZONES:
        zone = Zone.objects.filter(code=code).first()
        if zone is None:
            zone = Zone(code=code)
            created += 1
        zone.name, zone.kind, zone.division_code, zone.source = name, kind, division_code, source
        zone.parent = by_code.get(parent_code)
        if code in BOUNDARIES:
            zone.source = f"{source}；边界：{BOUNDARY_SOURCE}"
            if zone.boundary is None:  # an uploaded boundary is kept
                zone.boundary = feature_collection(name, BOUNDARIES[code], BOUNDARY_SOURCE)
        zone.save()
        by_code[code] = zone
    for zone_code in DEPARTMENT_ZONES:
        for name in DEPARTMENTS:
            Department.objects.get_or_create(
                zone=by_code[zone_code], name=name, defaults={"source": DEPARTMENT_SOURCE}
            )
    return created


DEMO_POINT_NOTE = "位置虚构（园区大致范围内的随机点）"


def place_demo_points(model, *, seed: str = "demo") -> int:
    """Give records of ``model`` without a point a deterministic one inside their zone's
    boundary (or the nearest ancestor's); records outside zones with a boundary keep none."""
    import random

    from zoneops.core.zones.geo import sample_point

    zones = {z.pk: z for z in Zone.objects.only("pk", "path", "boundary")}

    def boundary(zone_id):
        zone = zones.get(zone_id)
        if zone is None:
            return None
        for part in reversed(zone.path.strip("/").split("/")):
            found = zones.get(int(part))
            if found is not None and found.boundary:
                return found.boundary
        return None

    changed = []
    for obj in model.objects.filter(longitude__isnull=True).order_by("pk"):
        outline = boundary(obj.zone_id)
        if outline is None:
            continue
        point = sample_point(outline, random.Random(f"{seed}:{model.__name__}:{obj}"))
        if point is not None:
            obj.longitude, obj.latitude = point
            if DEMO_POINT_NOTE not in obj.source:
                obj.source = f"{obj.source}；{DEMO_POINT_NOTE}"[:300]
            changed.append(obj)
    # Demo records only: not put in the audit trail one by one.
    model.objects.bulk_update(changed, ["longitude", "latitude", "source"], batch_size=500)
    return len(changed)


def seed_users(stdout=None) -> list[tuple[str, str, str, str]]:
    """Create the demo accounts that are missing; return (username, password, role, zones)
    of the new ones (role and zone names as the pages show them)."""
    created = []
    for username, surname, given, role, zone_codes in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username=username,
            password=password,
            last_name=surname,
            first_name=given,
            role=role,
            must_change_password=True,  # an initial password is changed at first login
        )
        zones = list(Zone.objects.filter(code__in=zone_codes).order_by("path"))
        user.zones.set(zones)
        created.append(
            (username, password, str(user.get_role_display()), "、".join(z.name for z in zones))
        )
    return created


def seed_demo() -> dict:
    """Core's demo data, then each app's ``demo.seed()`` in app order (each idempotent)."""
    from zoneops.core.registries.app_modules import app_modules

    with acting_as(None):
        zones = seed_zones()
        users = seed_users()
        summaries = []
        for app, module in app_modules("demo"):
            if app != "core" and hasattr(module, "seed"):
                summaries.append(f"{app}: {module.seed()}")
    return {"zones_created": zones, "users_created": users, "apps": summaries}
