"""Campaign pages for the seeds' campaigns: each campaign's tasks, their state and progress,
and the campaign's state and share done, as the zone's staff and the new area's leader read
them."""

import datetime as dt
import re
import zoneinfo

import time_machine

from zoneops.core.loop import workflows as loop
from zoneops.core.models import User
from zoneops.core.ops.demo import seed_users, seed_zones
from zoneops.indicators import demo as indicator_demo
from zoneops.tasks import demo
from zoneops.tasks.models import Campaign
from zoneops.tasks.workflow import KIND

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def reader(client, username):
    user = User.objects.get(username=username)
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    client.force_login(user)
    return client


def test_seed_campaigns_show_tasks_states_and_share_done(db, client):
    seed_zones()
    seed_users()
    indicator_demo.seed()
    demo.seed()
    six = Campaign.objects.get(name="“六大”振兴行动")
    strategy = Campaign.objects.get(name="“2+5+10”总策略")
    assert six.zone.code == "JLGX" and six.tasks.count() == 6
    assert strategy.zone.code == "CCXQ" and strategy.tasks.count() == 3
    with time_machine.travel(dt.datetime(2023, 9, 1, 10, tzinfo=SHANGHAI), tick=False):
        page = reader(client, "jl_staff").get(six.get_absolute_url())
        html = page.content.decode()
        summary = page.context["summary"]
        assert summary.state == "running" and "进行中" in html
        assert (summary.tasks_done, summary.tasks_total, str(summary.share_done)) == (2, 6, "33.3")
        assert 'id="campaign-share-done" max="100" value="33.3"' in html
        rows = re.findall(r'<tr class="light-(\w+)">(.*?)</tr>', html, re.S)
        assert len(rows) == 6
        states = [re.sub(r"<[^>]+>", "|", r[1]) for r in rows]
        assert [r[0] for r in rows].count("done") == 2
        closed_label = str(loop.get_workflow(KIND).states["closed"])
        assert sum(closed_label in s for s in states) == 2
        assert not any(code in html for code in ("in_progress", ">closed<", ">assigned<"))
        assert any("实施汽车产业振兴行动" in s and "60" in s for s in states)
        listed = client.get("/tasks/campaigns/").content.decode()
        assert "“六大”振兴行动" in listed and "33.3" in listed
    with time_machine.travel(dt.datetime(2025, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        client.logout()
        page = reader(client, "xq_leader").get(strategy.get_absolute_url())
        assert page.context["summary"].state == "over"
        assert "已结束" in page.content.decode()
        ten = client.get("/tasks/campaigns/").content.decode()
        assert "十大工程" in ten and "“2+5+10”总策略" in ten
        assert "“六大”振兴行动" not in ten  # 吉林高新区 is not the leader's
