import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.loop import services as core_services
from zoneops.core.models import LoopCase
from zoneops.indicators import services as indicator_services
from zoneops.indicators.models import Indicator
from zoneops.tasks import selectors, services
from zoneops.tasks.models import Goal, Task

D = dt.date


def refresh(task):
    return Task.objects.select_related("case").get(pk=task.pk)


def test_a_task_opens_its_loop_due_on_the_deadline(task, departments):
    case = task.case
    assert case.kind == "task" and case.state == "assigned" and case.is_open
    assert case.due_date == D(2025, 12, 31)
    assert case.department == departments["econ"]
    assert [m.name for m in task.milestones.all()] == ["摸排企业需求", "帮扶措施落实"]


def test_a_deadline_on_a_weekend_is_due_the_working_day_before(zone_tree, users):
    task = services.create_task(
        zone=zone_tree["hitech"],
        title="周末截止",
        deadline=D(2025, 12, 27),  # a Saturday
        acting_user=users["staff"],
        opened_on=D(2025, 12, 1),
    )
    assert task.deadline == D(2025, 12, 27) and task.case.due_date == D(2025, 12, 26)


def test_yellow_three_working_days_before_the_deadline_then_red(task):
    core_services.tick(on=D(2025, 12, 25))  # 4 working days left
    assert refresh(task).light_at(D(2025, 12, 25)) == "green"
    core_services.tick(on=D(2025, 12, 26))  # 3 working days left: 29, 30, 31
    assert refresh(task).light_at(D(2025, 12, 26)) == "yellow"
    core_services.tick(on=D(2026, 1, 5))
    assert refresh(task).light_at(D(2026, 1, 5)) == "red"
    assert list(selectors.tasks_due_or_overdue(task.zone)) == [refresh(task)]


def test_extension_request_then_grant_moves_the_due_date(task, users):
    staff, liaison = users["staff"], users["liaison"]
    task = services.transition_task(task, "start", acting_user=liaison, on=D(2025, 11, 11))
    with pytest.raises(ValidationError):
        services.transition_task(
            task, "request_extension", acting_user=liaison, comment="企业停产检修"
        )
    task = services.transition_task(
        task,
        "request_extension",
        acting_user=liaison,
        comment="企业停产检修",
        extra_working_days=5,
        on=D(2025, 12, 20),
    )
    assert task.case.state == "extension_requested" and task.requested_extension_days == 5
    with pytest.raises(PermissionDenied):
        services.transition_task(task, "grant_extension", acting_user=liaison)
    task = services.transition_task(task, "grant_extension", acting_user=staff, on=D(2025, 12, 22))
    assert task.case.state == "in_progress"
    assert task.case.due_date == D(2026, 1, 8)  # 5 working days after 31 Dec (1 Jan a holiday)
    assert task.deadline == D(2025, 12, 31)  # the task book's original deadline is kept
    assert task.requested_extension_days is None


def test_closure_only_after_review(task, users):
    staff, liaison = users["staff"], users["liaison"]
    task = services.transition_task(task, "start", acting_user=liaison)
    with pytest.raises(ValidationError):
        services.transition_task(task, "close", acting_user=staff)
    with pytest.raises(ValidationError):  # asking for closure needs a comment
        services.transition_task(task, "submit", acting_user=liaison)
    task = services.transition_task(task, "submit", acting_user=liaison, comment="120户已走访")
    with pytest.raises(PermissionDenied):
        services.transition_task(task, "close", acting_user=liaison)
    task = services.transition_task(task, "return", acting_user=staff, comment="缺台账")
    task = services.transition_task(task, "submit", acting_user=liaison, comment="已补台账")
    task = services.transition_task(task, "close", acting_user=staff)
    assert task.case.state == "closed" and not task.case.is_open
    assert task.progress == 100 and task.light == "done"
    transitions = list(task.case.events.values_list("transition", flat=True))
    assert transitions == ["open", "start", "submit", "return", "submit", "close"]


def test_other_zones_staff_cannot_create_or_move_tasks(task, zone_tree, users):
    other = users["other_staff"]
    with pytest.raises(PermissionDenied):
        services.create_task(
            zone=zone_tree["hitech"], title="x", deadline=D(2025, 12, 31), acting_user=other
        )
    with pytest.raises(PermissionDenied):
        services.transition_task(task, "start", acting_user=other)
    with pytest.raises(PermissionDenied):
        services.create_task(
            zone=zone_tree["hitech"],
            title="x",
            deadline=D(2025, 12, 31),
            acting_user=users["leader"],
        )


def test_units_must_serve_the_zone(zone_tree, users, departments):
    with pytest.raises(ValidationError) as info:
        services.create_task(
            zone=zone_tree["park"],
            title="光电产业园招商",
            deadline=D(2025, 12, 31),
            acting_user=users["staff"],
            lead_unit=departments["other"],
            opened_on=D(2025, 11, 10),
        )
    assert "lead_unit" in info.value.message_dict
    # A department of 高新区 serves its park.
    task = services.create_task(
        zone=zone_tree["park"],
        title="光电产业园招商",
        deadline=D(2025, 12, 31),
        acting_user=users["staff"],
        lead_unit=departments["invest"],
        opened_on=D(2025, 11, 10),
    )
    assert task.case.department == departments["invest"]


def test_deadline_before_the_task_or_outside_the_calendar_is_refused(zone_tree, users):
    for deadline in (D(2025, 11, 1), D(2101, 1, 1)):
        with pytest.raises(ValidationError) as info:
            services.create_task(
                zone=zone_tree["hitech"],
                title="x",
                deadline=deadline,
                acting_user=users["staff"],
                opened_on=D(2025, 11, 10),
            )
        assert "deadline" in info.value.message_dict
    assert not LoopCase.objects.exists()  # nothing half-made


def test_a_meeting_decision_becomes_a_task_in_one_step(zone_tree, users, departments):
    task = services.create_task_from_decision(
        zone=zone_tree["hitech"],
        decision="长白山实验室年底前完成验收\n由科技创新局牵头，经济发展局配合",
        meeting="11月10日党工委会议",
        decided_on=D(2025, 11, 10),
        deadline=D(2025, 12, 31),
        lead_unit=departments["econ"],
        acting_user=users["staff"],
    )
    assert task.title == "长白山实验室年底前完成验收"
    assert task.origin == Task.Origin.DECISION and task.meeting == "11月10日党工委会议"
    assert task.case.opened_on == D(2025, 11, 10) and task.case.state == "assigned"
    with pytest.raises(ValidationError):
        services.create_task_from_decision(
            zone=zone_tree["hitech"],
            decision="  ",
            deadline=D(2025, 12, 31),
            acting_user=users["staff"],
        )


def test_progress_each_cycle_updates_the_task(task, users):
    liaison = users["liaison"]
    with pytest.raises(PermissionDenied):  # a liaison reads task books, staff report
        services.report_progress(task, acting_user=liaison, cycle="2025-W47", progress=30, text="")
    staff = users["staff"]
    services.report_progress(
        task, acting_user=staff, cycle="2025-W47", progress=30, text="走访40户",
        reported_on=D(2025, 11, 21),
    )  # fmt: skip
    services.report_progress(
        task, acting_user=staff, cycle="2025-W48", progress=55, text="走访66户",
        problems="部分企业负责人出差", reported_on=D(2025, 11, 28),
    )  # fmt: skip
    assert refresh(task).progress == 55
    # A second report for a cycle corrects it.
    services.report_progress(
        task, acting_user=staff, cycle="2025-W48", progress=60, text="走访72户",
        reported_on=D(2025, 11, 28),
    )  # fmt: skip
    assert task.updates.count() == 2 and refresh(task).progress == 60


def test_campaign_countdown_and_goals(campaign, goal, task, zone_tree):
    Goal.objects.create(
        campaign=campaign,
        name="规上工业总产值",
        measure=Goal.Measure.INDICATOR,
        indicator=Indicator.objects.get(code="industrial_output_above_scale"),
        target_value=1000,
        unit="万元",
    )
    indicator_services.save_value(
        zone=zone_tree["hitech"],
        indicator=Indicator.objects.get(code="industrial_output_above_scale"),
        year=2025,
        month=11,
        value=850,
        acting_user=None,
    )
    services.set_goal_achieved(goal, 90, acting_user=None)
    summary = selectors.campaign_summary(campaign, today=D(2025, 11, 29))
    assert summary.days_left == 40 and summary.elapsed == Decimal("33.3")
    assert summary.tasks_total == 1 and summary.tasks_by_light == {"green": 1}
    shares = {g.goal.name: (g.achieved, g.share) for g in summary.goals}
    assert shares["规上工业企业走访全覆盖"] == (90, 75)
    assert shares["规上工业总产值"] == (850, 85)
    over = selectors.campaign_summary(campaign, today=D(2026, 2, 1))
    assert over.days_left < 0 and over.working_days_left == 0 and over.elapsed == 100


def test_deleting_a_task_removes_its_case(task):
    case_pk = task.case_id
    task.delete()
    assert not LoopCase.objects.filter(pk=case_pk).exists()
