"""The start page a zone's staff see after signing in: their open items (overdue first), the
months waiting for their approval, their recent jobs and links to their lists, in Chinese, read
in the same number of queries however much there is."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.core.loop import services as loop_services
from zoneops.enterprises.models import MonthApproval
from zoneops.enterprises.tests.factories import enterprise, figure
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose
from zoneops.jobs.models import Job

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 16)  # a Monday
NOW = dt.datetime(2025, 6, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def open_case(zone, user, title, opened_on, handler=None):
    case = loop_services.open_case(
        kind="standard", zone=zone, title=title, acting_user=user, opened_on=opened_on
    )
    if handler is not None:
        case.handler = handler
        case.save(update_fields=["handler"])
    return case


@pytest.fixture
def work(zone_tree, users):
    """高新区: a case long overdue, one due later handled by the staff member; 经开区: a case
    the 高新区 staff do not see. Figures of April and May, April approved; a failed import."""
    staff = users["staff"]
    open_case(zone_tree["hitech"], staff, "新办诉求", TODAY - dt.timedelta(days=2), handler=staff)
    open_case(zone_tree["park"], staff, "逾期隐患", TODAY - dt.timedelta(days=60))
    open_case(zone_tree["econ"], users["other_staff"], "经开区诉求", TODAY - dt.timedelta(days=60))
    firm = enterprise(zone_tree["park"], 1)
    figure(firm, 2025, 4, "100")
    figure(firm, 2025, 5, "120")
    MonthApproval.objects.create(zone=zone_tree["hitech"], year=2025, month=4, approved=True)
    gdp = Indicator.objects.get(code="gdp")
    for month in (4, 5):
        IndicatorValue.objects.create(
            zone=zone_tree["hitech"], indicator=gdp, year=2025, month=month, value=Decimal(month)
        )
    MonthClose.objects.create(zone=zone_tree["hitech"], year=2025, month=5, is_locked=True)
    Job.objects.create(
        kind=Job.Kind.IMPORT, title="企业名录.xlsx", user=staff, state=Job.State.FAILED
    )


def sections(response) -> dict:
    return {s["key"]: s for s in response.context["sections"]}


def test_staff_see_their_open_items_overdue_first_and_what_waits_for_them(client_for, users, work):
    response = client_for(users["staff"]).get("/")
    found = sections(response)
    items = found["core.open_items"]["block"].items
    assert [(i.text.split(" · ")[1], i.overdue) for i in items] == [
        ("逾期隐患", True),
        ("新办诉求", False),
    ]
    months = found["enterprises.months_to_approve"]["block"]
    assert [i.text for i in months.items] == ["长春高新区：2025年05月数据"]
    indicator_months = found["indicators.months_to_close"]["block"]
    assert [i.text for i in indicator_months.items] == ["长春高新区：2025年04月指标"]
    jobs = found["jobs.recent"]["block"]
    assert [i.text for i in jobs.items] == ["企业名录.xlsx"] and jobs.items[0].overdue
    html = response.content.decode()
    for words in (
        "我的待办",
        "待审核月份",
        "待审核的指标月份",
        "我最近的导入和后台作业",
        "我的列表",
        "超期",
    ):
        assert words in html
    assert "经开区诉求" not in html
    assert 'href="/appeals/"' in html and 'href="/tasks/"' in html


def test_a_leader_has_no_months_to_approve_and_empty_sections_say_so(client_for, users):
    found = sections(client_for(users["leader"]).get("/"))
    assert "enterprises.months_to_approve" not in found
    assert "indicators.months_to_close" not in found
    block = found["core.open_items"]["block"]
    assert block.items == [] and block.total == 0
    assert "暂无待办" in str(block.empty)


def test_the_page_reads_in_the_same_number_of_queries_however_much_there_is(
    client_for, users, zone_tree, work
):
    client = client_for(users["staff"])
    client.get("/")  # sessions, caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    before = count()
    staff = users["staff"]
    for n in range(12):
        open_case(zone_tree["park"], staff, f"诉求{n}", TODAY - dt.timedelta(days=n * 5))
        firm = enterprise(zone_tree["park"], 100 + n)
        figure(firm, 2025, 3 + n % 3, "10")
        IndicatorValue.objects.create(
            zone=zone_tree["hitech"],
            indicator=Indicator.objects.filter(is_active=True)[n + 1],
            year=2025,
            month=3 + n % 3,
            value=Decimal(n),
        )
        Job.objects.create(kind=Job.Kind.EXPORT, title=f"导出{n}", user=staff)
    after = count()
    assert after == before
    found = sections(client.get("/"))
    assert found["core.open_items"]["block"].total == 14
    assert len(found["core.open_items"]["block"].items) == 8
    assert found["jobs.recent"]["block"].total == 13
