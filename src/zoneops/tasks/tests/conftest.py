import datetime as dt

import pytest

from zoneops.core.models import Department
from zoneops.tasks import services
from zoneops.tasks.models import Campaign, Goal

D = dt.date


@pytest.fixture
def departments(zone_tree):
    hitech = zone_tree["hitech"]
    return {
        "econ": Department.objects.create(zone=hitech, name="经济发展局"),
        "invest": Department.objects.create(zone=hitech, name="投资促进局"),
        "office": Department.objects.create(zone=hitech, name="党政办公室（督查室）"),
        "other": Department.objects.create(zone=zone_tree["econ"], name="经开区经济发展局"),
    }


@pytest.fixture
def campaign(zone_tree):
    return Campaign.objects.create(
        zone=zone_tree["hitech"],
        name="大干60天冲刺四季度",
        starts_on=D(2025, 11, 10),
        ends_on=D(2026, 1, 8),
    )


@pytest.fixture
def goal(campaign):
    return Goal.objects.create(
        campaign=campaign, name="规上工业企业走访全覆盖", target_value=120, unit="户"
    )


@pytest.fixture
def task(zone_tree, users, departments, campaign, goal):
    return services.create_task(
        zone=zone_tree["hitech"],
        title="规上工业企业一企一策精准帮扶",
        deadline=D(2025, 12, 31),
        acting_user=users["staff"],
        campaign=campaign,
        goal=goal,
        lead_unit=departments["econ"],
        responsible_unit=departments["invest"],
        supervising_unit=departments["office"],
        milestones=[("摸排企业需求", D(2025, 11, 20)), ("帮扶措施落实", D(2025, 12, 20))],
        opened_on=D(2025, 11, 10),
    )
