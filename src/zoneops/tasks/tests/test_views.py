import datetime as dt

import pytest
from django.utils import timezone

from zoneops.core.ui.testing import ScopedViewTests
from zoneops.tasks import services
from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task

D = dt.date
# Room for the site-wide parts of every page (navigation, notifications); constant in rows.
LIST_QUERIES = ScopedViewTests.max_list_queries + 1


def make_campaign(zone, index=0):
    return Campaign.objects.create(
        zone=zone, name=f"冲刺行动{index}", starts_on=D(2025, 11, 10), ends_on=D(2026, 1, 8)
    )


def make_task(zone, index=0):
    return services.create_task(
        zone=zone,
        title=f"攻坚任务{index}",
        deadline=D(2025, 12, 31),
        acting_user=None,
        opened_on=D(2025, 11, 10),
    )


def future(days=14):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.django_db
class TestCampaignViews(ScopedViewTests):
    model = Campaign
    url_base = "tasks:campaign"
    search_term = "冲刺行动1"
    max_list_queries = LIST_QUERIES

    def make(self, zone, index=0):
        return make_campaign(zone, index)

    def form_data(self, zone):
        return {
            "zone": zone.code,
            "name": "十大工程",
            "kind": "programme",
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
        }


@pytest.mark.django_db
class TestGoalViews(ScopedViewTests):
    model = Goal
    url_base = "tasks:goal"
    search_term = "高能级平台1"
    max_list_queries = LIST_QUERIES

    def make(self, zone, index=0):
        return Goal.objects.create(
            campaign=make_campaign(zone, index), name=f"高能级平台{index}", target_value=50
        )

    def form_data(self, zone):
        campaign = make_campaign(zone, 99)
        return {
            "campaign": campaign.pk,
            "name": "标志性成果",
            "measure": "count",
            "target_value": "100",
            "achieved": "0",
            "sort_order": "1",
        }


@pytest.mark.django_db
class TestTaskViews(ScopedViewTests):
    model = Task
    url_base = "tasks:task"
    search_term = "攻坚任务1"
    max_list_queries = LIST_QUERIES

    def make(self, zone, index=0):
        return make_task(zone, index)

    def form_data(self, zone):
        return {"zone": zone.code, "title": "新建任务", "deadline": future(), "origin": "campaign"}


@pytest.mark.django_db
class TestMilestoneViews(ScopedViewTests):
    model = Milestone
    url_base = "tasks:milestone"
    search_term = "节点1"
    max_list_queries = LIST_QUERIES

    def make(self, zone, index=0):
        return Milestone.objects.create(
            task=make_task(zone, index), name=f"节点{index}", due_on=D(2025, 12, 1)
        )

    def form_data(self, zone):
        return {
            "task": make_task(zone, 99).pk,
            "name": "完成验收",
            "due_on": "2025-12-20",
            "sort_order": "0",
        }


@pytest.mark.django_db
class TestProgressUpdateViews(ScopedViewTests):
    model = ProgressUpdate
    url_base = "tasks:progressupdate"
    search_term = "2025-W4"
    max_list_queries = LIST_QUERIES

    def make(self, zone, index=0):
        return services.report_progress(
            make_task(zone, index),
            acting_user=None,
            cycle=f"2025-W4{index}",
            progress=20,
            text="推进中",
            reported_on=D(2025, 11, 20),
        )

    def form_data(self, zone):
        return {
            "task": make_task(zone, 99).pk,
            "cycle": "2025-W47",
            "reported_on": "2025-11-21",
            "progress": "40",
            "text": "完成摸排",
        }


def test_task_page_moves_the_loop(client_for, users, zone_tree):
    task = make_task(zone_tree["hitech"], 1)
    client = client_for(users["liaison"])
    page = client.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200 and "request_extension" in page.content.decode()
    client.post(f"/tasks/{task.pk}/", {"transition": "start"})
    client.post(
        f"/tasks/{task.pk}/",
        {"transition": "request_extension", "comment": "等待审批", "extra_working_days": "5"},
    )
    task.refresh_from_db()
    task.case.refresh_from_db()
    assert task.case.state == "extension_requested" and task.requested_extension_days == 5
    client_for(users["staff"]).post(f"/tasks/{task.pk}/", {"transition": "grant_extension"})
    task.case.refresh_from_db()
    assert task.case.state == "in_progress" and task.case.due_date == D(2026, 1, 8)


def test_edit_page_keeps_the_deadline(client_for, users, zone_tree):
    task = make_task(zone_tree["hitech"], 1)
    response = client_for(users["staff"]).post(
        f"/tasks/{task.pk}/edit/",
        {"zone": "GX", "title": "改名", "deadline": "2030-01-01", "origin": "campaign"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "改名" and task.deadline == D(2025, 12, 31)


def test_campaign_page_counts_down(client_for, users, zone_tree):
    campaign = make_campaign(zone_tree["hitech"], 1)
    campaign.ends_on = timezone.localdate() + dt.timedelta(days=10)
    campaign.save()
    page = client_for(users["leader"]).get(f"/tasks/campaigns/{campaign.pk}/")
    assert page.context["summary"].days_left == 10
    assert "10" in page.content.decode()
