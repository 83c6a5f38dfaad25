import datetime as dt

import pytest

from zoneops.appeals import services
from zoneops.core.models import Department
from zoneops.enterprises.uscc import check_char

D = dt.date
OPENED = D(2025, 9, 26)


def make_uscc(serial: int) -> str:
    body = f"91220101MA{serial:07d}"
    return body + check_char(body)


@pytest.fixture
def enterprise(zone_tree):
    from zoneops.enterprises.models import Enterprise

    return Enterprise.objects.create(
        uscc=make_uscc(1), name="长春光电科技有限公司", zone=zone_tree["park"]
    )


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="营商环境建设局")


@pytest.fixture
def second_department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")


def new_appeal(zone, user, *, title="用电增容审批慢", category="utilities", on=OPENED, **kw):
    submission = services.submit(
        zone=zone,
        channel="visit",
        enterprise_name=kw.pop("enterprise_name", "长春光电科技有限公司"),
        uscc="",
        contact_name="张经理",
        contact_phone="13904310000",
        items=[
            services.Item(
                title=title,
                category=category,
                description="企业新增产线需要用电增容，申请两个月未批复。",
                tags=kw.pop("tags", "用电,增容"),
                multi_department=kw.pop("multi_department", False),
            )
        ],
        acting_user=user,
        opened_on=on,
        **kw,
    )
    return submission.appeals.order_by("-pk").first()


@pytest.fixture
def appeal(zone_tree, users):
    return new_appeal(zone_tree["park"], users["staff"])
