"""Core figures: the audit-trail list page over 200,000 rows and its .xlsx export.

Builds its own data, the same on every run: the synthetic zones and users of ``zoneops generate``
(``--zones 40 --seed 1``), then ``ObjectChange`` rows written with ``bulk_create`` until the trail
holds 200,000 rows, 100,000 of them updates (varied users, object types, Chinese object names,
1–4 changed fields, times spread over one year). Measures the server time of ``/audit/`` through
Django's test client:

- ``core.list_200k_first_page``: ``/audit/`` (newest first, page 1 of 4,000)
- ``core.list_200k_filtered_sorted``: ``?action=update&user_name=<busiest>&sort=-time``
- ``core.export_100k``: ``?action=update&export=xlsx``, the 100,000 updates as .xlsx
"""

import datetime as dt
import io
import random
import sys
import time
import uuid
import zoneinfo
from itertools import accumulate

from timing import best_ms, scaled, server_ms

ZONES = scaled(40, 2)
SEED = 1
TOTAL_ROWS = scaled(200_000, 2_000)
UPDATE_ROWS = scaled(100_000, 1_000)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
PLACES = ["长春", "吉林", "延吉", "四平", "通化", "白山", "松原", "白城", "辽源", "珲春"]
WORDS = ["光电", "生物", "汽车", "新材料", "装备", "医药", "电子", "数字", "能源", "精密", "农业"]
TRADES = ["科技", "制造", "信息技术", "实业", "电气", "化工", "食品", "物流", "智能装备", "软件"]
FORMS = ["有限公司", "股份有限公司", "集团有限公司"]
PROJECTS = ["生产线建设项目", "产业园项目", "研发中心项目", "技改扩能项目", "仓储物流中心项目"]
ISSUES = ["用地审批", "电力增容", "融资需求", "用工招聘", "环评手续", "道路配套", "供热接入"]
HAZARDS = ["消防通道堵塞", "配电箱未接地", "危化品存放不规范", "脚手架未验收", "安全出口锁闭"]
FIELDS = [
    "name", "state", "zone_id", "source", "phone", "title", "due_date", "amount",
    "department_id", "handler_id", "escalation", "address", "contact", "is_open", "kind",
]  # fmt: skip


def run(ctx):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from zoneops.core.models import ObjectChange, Role, User, Zone

    started = time.perf_counter()
    if not Zone.objects.filter(code="S").exists():  # another bench may have generated it already
        call_command("generate", zones=ZONES, seed=SEED, stdout=io.StringIO())
    # 三员分立: the audit administrator reads and exports the audit trail, nobody else.
    auditor = User.objects.create_user(username="bench-core-auditor", role=Role.AUDITOR)
    added = top_up_audit_trail(random.Random(SEED))
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute or so of a bulk load: statistics for the
        # planner and the visibility map that lets counts be answered from an index.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {ObjectChange._meta.db_table}")
    print(
        f"# core: {ObjectChange.objects.count()} audit rows ({added} added) "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    client = Client(HTTP_HOST="localhost")  # the test client's "testserver" is not allowed
    client.force_login(auditor)
    yield "core.list_200k_first_page", server_ms(client, "/audit/"), "ms"

    yield (
        "core.list_200k_filtered_sorted",
        server_ms(client, "/audit/", action="update", user_name=busiest_user(), sort="-time"),
        "ms",
    )

    def export():
        response = client.get("/audit/", {"action": "update", "export": "xlsx"})
        assert response.status_code == 200, response.status_code
        b"".join(response.streaming_content)

    with override_settings(ZONEOPS_EXPORT_MAX_ROWS=UPDATE_ROWS):
        yield "core.export_100k", best_ms(export, repeat=3, warmup=0) / 1000, "s"


def busiest_user() -> str:
    """The user with most updates (about 8,000 of them): the largest page count to make."""
    from django.db.models import Count

    from zoneops.core.models import ObjectChange

    return (
        ObjectChange.objects.filter(action="update")
        .exclude(user_name="")
        .values_list("user_name", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n", "user_name")
        .first()
    )


def top_up_audit_trail(rng: random.Random) -> int:
    """Add rows until the trail holds TOTAL_ROWS, UPDATE_ROWS of them updates."""
    from django.db import transaction

    from zoneops.core.models import ObjectChange, User, Zone
    from zoneops.core.ui.filters import _audited_types

    existing = ObjectChange.objects.count()
    updates = max(0, UPDATE_ROWS - ObjectChange.objects.filter(action="update").count())
    count = TOTAL_ROWS - existing
    if count <= 0:
        return 0
    updates = min(updates, count)
    others = count - updates
    actions = ["update"] * updates + ["create"] * (others * 3 // 4)
    actions += ["delete"] * (count - len(actions))
    rng.shuffle(actions)

    users = list(
        User.objects.filter(username__regex=r"^s[0-9]+u[0-9]+$")
        .order_by("username")
        .values_list("pk", "username")
    )
    # A few people do most of the work: weights fall off like 1/rank.
    user_weights = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(users))))
    zone_ids = list(
        Zone.objects.filter(code__startswith="S-Z").order_by("code").values_list("pk", flat=True)
    )
    types = sorted(_audited_types(), key=lambda ct: (ct.app_label, ct.model))
    type_weights = list(accumulate(1 / (rank + 1) for rank in range(len(types))))

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    start = dt.datetime(2024, 7, 1, tzinfo=tz)
    seconds = sorted(rng.randrange(365 * 24 * 3600) for _ in range(count))
    rows = []
    request_id = None
    for index, action in enumerate(actions):
        if request_id is None or rng.random() < 0.4:
            request_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        if rng.random() < 0.05:
            user_id, user_name = None, ""  # a command (zoneops tick, generate, imports)
        else:
            user_id, user_name = rng.choices(users, cum_weights=user_weights)[0]
        content_type = rng.choices(types, cum_weights=type_weights)[0]
        rows.append(
            ObjectChange(
                time=start + dt.timedelta(seconds=seconds[index]),
                user_id=user_id,
                user_name=user_name,
                request_id=request_id,
                action=action,
                content_type=content_type,
                object_id=rng.randrange(1, 20_000),
                object_repr=object_repr(rng, content_type.model),
                zone_id=rng.choice(zone_ids),
                changes=changes(rng, action),
            )
        )
    with transaction.atomic():
        ObjectChange.objects.bulk_create(rows, batch_size=2000)
    return count


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def company(rng: random.Random) -> str:
    return rng.choice(PLACES) + rng.choice(WORDS) + rng.choice(TRADES) + rng.choice(FORMS)


def object_repr(rng: random.Random, model: str) -> str:
    if model == "zone":
        return f"{rng.choice(PLACES)}{rng.choice(WORDS)}产业园"
    if model == "department":
        return rng.choice(["经济发展局", "投资促进局", "应急管理局", "科技创新局", "营商环境局"])
    if "project" in model:
        return f"{company(rng)}{rng.choice(PROJECTS)}"
    if "appeal" in model or model == "loopcase":
        return f"{company(rng)}关于{rng.choice(ISSUES)}的诉求"
    if "hazard" in model:
        return f"{company(rng)}{rng.choice(HAZARDS)}"
    if "visit" in model:
        return f"{person(rng)}走访{company(rng)}"
    return company(rng)


def changes(rng: random.Random, action: str) -> dict:
    fields = rng.sample(FIELDS, rng.randint(1, 4))
    values = {}
    for field in fields:
        before = f"{rng.choice(WORDS)}{rng.randrange(1000)}"
        after = f"{rng.choice(WORDS)}{rng.randrange(1000)}"
        if action == "create":
            before = None
        elif action == "delete":
            after = None
        values[field] = {"before": before, "after": after}
    return values
