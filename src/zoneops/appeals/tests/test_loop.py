"""The appeal loop: every step, the limits in working days, requests and four eyes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.appeals import services, workflow
from zoneops.appeals.models import Appeal
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.models import LoopCase, LoopEvent

D = dt.date
DAY = D(2025, 9, 29)
APPEAL = workflow.APPEAL


def step(appeal, name, user, on=DAY, **kw):
    return services.transition(appeal, name, acting_user=user, on=on, **kw)


def to_in_progress(appeal, users, department):
    staff, liaison = users["staff"], users["liaison"]
    appeal = step(appeal, "accept", staff)
    appeal = step(appeal, "assign", staff, department=department, handler=liaison)
    return step(appeal, "start", liaison)


def test_limits_across_the_2025_national_day_holiday(appeal):
    # Submitted Friday 26 Sep 2025; Sun 28 Sep and Sat 11 Oct are 调休 working days,
    # 1–8 Oct is the National Day and Mid-Autumn holiday.
    assert appeal.accept_due == D(2025, 9, 28)  # 1 working day: the 调休 Sunday
    assert appeal.answer_due == D(2025, 9, 29)  # 2 working days
    assert appeal.case.due_date == D(2025, 10, 16)  # 10 working days
    assert appeal.case.limit_working_days == 10


def test_several_departments_get_25_working_days(zone_tree, users):
    appeal = new_appeal(zone_tree["park"], users["staff"], multi_department=True)
    assert appeal.case.limit_working_days == 25
    assert appeal.case.due_date == D(2025, 11, 6)


def test_limits_per_category_come_from_settings(zone_tree, users, settings):
    settings.ZONEOPS_APPEAL_TIME_LIMITS = {"land": {"resolve": 15}}
    land = new_appeal(zone_tree["park"], users["staff"], category="land")
    other = new_appeal(zone_tree["park"], users["staff"], title="融资对接", category="financing")
    assert land.case.limit_working_days == 15
    assert other.case.limit_working_days == 10


def test_full_loop_with_extension_transfer_and_confirmation(
    appeal, users, department, second_department, colleague
):
    staff, liaison = users["staff"], users["liaison"]
    appeal = step(appeal, "accept", staff)
    assert appeal.accepted_on == D(2025, 9, 29)
    appeal = step(appeal, "assign", staff, department=department, handler=liaison)
    appeal = step(
        appeal,
        "transfer",
        staff,
        department=second_department,
        handler=liaison,
        comment="供电事项归经发局",
        multi_department=True,
    )
    assert appeal.case.department == second_department
    assert appeal.multi_department and appeal.case.limit_working_days == 25
    assert appeal.case.due_date == D(2025, 11, 6)
    appeal = step(appeal, "start", liaison)
    assert appeal.answered_on == D(2025, 9, 29)
    appeal = step(
        appeal, "request_extension", liaison, comment="需供电公司现场勘察", extra_working_days=5
    )
    assert appeal.case.due_date == D(2025, 11, 6)  # nothing moves before approval
    with pytest.raises(PermissionDenied):  # 三员分立: not the system administrator
        step(appeal, "approve_extension", users["admin"])
    appeal = step(appeal, "approve_extension", colleague)
    assert appeal.case.due_date == D(2025, 11, 13)
    appeal = step(
        appeal, "reply", liaison, comment="已协调供电公司，11月底完成增容", on=D(2025, 10, 10)
    )
    # the enterprise confirms days later: the loop was resolved with the answer
    appeal = services.rate(appeal, 5, "满意", acting_user=None, on=D(2025, 10, 14))
    appeal.refresh_from_db()
    assert appeal.case.state == "closed" and not appeal.case.is_open
    assert appeal.closed_by == Appeal.ClosedBy.CONFIRMATION
    assert appeal.closed_on_time is True
    assert appeal.close_working_days == 5  # after 26 Sep: 28, 29, 30 Sep, 9, 10 Oct
    names = list(appeal.case.events.values_list("transition", flat=True))
    assert names == [
        "open",
        "accept",
        "assign",
        "transfer",
        "relimit",
        "start",
        "request_extension",
        "approve_extension",
        "reply",
        "confirm",
    ]


def test_extension_is_approved_by_someone_else(appeal, users, department, colleague):
    appeal = to_in_progress(appeal, users, department)
    staff = users["staff"]
    with pytest.raises(ValidationError):  # nothing requested yet
        step(appeal, "approve_extension", staff)
    appeal = step(appeal, "request_extension", staff, comment="需会商", extra_working_days=3)
    with pytest.raises(ValidationError):  # one request at a time
        step(appeal, "request_extension", staff, comment="再延", extra_working_days=3)
    with pytest.raises(PermissionDenied):  # the requester may not approve their own request
        step(appeal, "approve_extension", staff)
    with pytest.raises(PermissionDenied):  # nor may the handler
        step(appeal, "approve_extension", users["liaison"])
    due = LoopCase.objects.get(pk=appeal.case_id).due_date
    for administrator in ("admin", "security_admin", "auditor"):  # 三员分立
        with pytest.raises(PermissionDenied):
            step(appeal, "approve_extension", users[administrator])
    appeal = step(appeal, "reject_extension", colleague, comment="时限内可办结")
    assert appeal.case.due_date == due
    with pytest.raises(ValidationError):  # the request is settled
        step(appeal, "approve_extension", colleague)


def test_suspension_pauses_the_clock_over_the_holiday(appeal, users, department):
    appeal = to_in_progress(appeal, users, department)
    liaison = users["liaison"]
    appeal = step(appeal, "suspend", liaison, comment="等待企业补充材料", on=D(2025, 9, 30))
    appeal = step(appeal, "resume", liaison, on=D(2025, 10, 10))
    assert appeal.case.due_date == D(2025, 10, 20)  # 9 and 10 Oct paused: two working days


def test_return_needs_a_reason_and_goes_back_to_dispatch(appeal, users, department):
    appeal = to_in_progress(appeal, users, department)
    with pytest.raises(ValidationError):
        step(appeal, "return", users["liaison"])
    appeal = step(appeal, "return", users["liaison"], comment="不属于本部门职责")
    assert appeal.case.state == "returned"
    appeal = step(appeal, "assign", users["staff"], department=department, handler=users["staff"])
    assert appeal.case.state == "assigned"


def test_escalation_to_meeting_and_leader(appeal, users, department):
    appeal = to_in_progress(appeal, users, department)
    appeal = step(appeal, "escalate_meeting", users["liaison"], comment="涉及规划调整")
    assert appeal.coordination == Appeal.Coordination.MEETING
    with pytest.raises(PermissionDenied):  # a liaison cannot escalate to the leader
        step(appeal, "escalate_leader", users["liaison"], comment="x")
    appeal = step(appeal, "escalate_leader", users["staff"], comment="九解一协调未能解决")
    assert appeal.coordination == Appeal.Coordination.LEADER
    assert appeal.case.state == "in_progress"


def test_low_rating_reopens_for_a_revisit(appeal, users, department):
    appeal = to_in_progress(appeal, users, department)
    appeal = step(appeal, "reply", users["liaison"], comment="已答复")
    with pytest.raises(ValidationError):  # a low rating must say what is wrong
        services.rate(appeal, 1, "", acting_user=None)
    appeal = services.rate(appeal, 2, "问题没有解决", acting_user=None, on=D(2025, 10, 9))
    assert appeal.case.state == "in_progress" and appeal.case.is_open
    assert appeal.reopen_count == 1 and appeal.rating == 2
    assert appeal.case.due_date == D(2025, 10, 22)  # a new 10 working days (Sat 11 Oct works)
    appeal = step(appeal, "reply", users["liaison"], comment="再次答复", on=D(2025, 10, 13))
    appeal = step(
        appeal, "revisit", users["liaison"], comment="回访企业，问题已解决", on=D(2025, 10, 14)
    )
    assert appeal.closed_by == Appeal.ClosedBy.REVISIT
    with pytest.raises(ValidationError):  # rated before closing: no second rating
        services.rate(appeal, 5, "", acting_user=None)


def test_rating_rules(appeal, users):
    with pytest.raises(ValidationError):  # not answered yet
        services.rate(appeal, 5, "", acting_user=None)
    with pytest.raises(ValidationError):
        services.rate(appeal, 6, "", acting_user=None)


@pytest.mark.parametrize("state", list(workflow.STATES))
def test_every_illegal_transition_is_rejected_and_changes_nothing(state, appeal, users, department):
    LoopCase.objects.filter(pk=appeal.case_id).update(state=state)
    appeal.refresh_from_db()
    appeal.case.refresh_from_db()
    for name, transition in APPEAL.transitions.items():
        if state in transition.sources:
            continue
        before = (LoopEvent.objects.count(), Appeal.objects.filter(pk=appeal.pk).values().get())
        with pytest.raises(ValidationError) as info:
            step(
                appeal,
                name,
                users["admin"],
                comment="x",
                department=department,
                handler=users["liaison"],
                extra_working_days=2,
            )
        assert "不能" in " ".join(info.value.messages) or "not possible" in " ".join(
            info.value.messages
        )
        fresh = LoopCase.objects.get(pk=appeal.case_id)
        assert (fresh.state, fresh.due_date, fresh.is_open) == (
            state,
            appeal.case.due_date,
            appeal.case.is_open,
        )
        assert (
            LoopEvent.objects.count(),
            Appeal.objects.filter(pk=appeal.pk).values().get(),
        ) == before


def test_roles(appeal, users, department):
    with pytest.raises(PermissionDenied):
        step(appeal, "accept", users["leader"])
    with pytest.raises(PermissionDenied):
        step(appeal, "accept", users["other_staff"])
    with pytest.raises(PermissionDenied):
        services.submit(
            zone=appeal.zone,
            channel="visit",
            enterprise_name="x",
            uscc="",
            contact_name="x",
            contact_phone="1",
            items=[services.Item("t", "other", "d")],
            acting_user=users["other_staff"],
        )


def test_linked_submission_shares_the_tracking_number(appeal, users, zone_tree):
    second = new_appeal(
        zone_tree["park"],
        users["staff"],
        title="招工难",
        category="labour",
        link_to=appeal.submission,
    )
    assert second.submission == appeal.submission
    assert set(appeal.submission.appeals.all()) == {appeal, second}
    with pytest.raises(ValidationError):
        new_appeal(zone_tree["econ"], users["admin"], title="x", link_to=appeal.submission)


def test_tags_are_normalised(zone_tree, users):
    appeal = new_appeal(zone_tree["park"], users["staff"], tags="用电，增容、用电; 审批")
    assert appeal.tag_list() == ["用电", "增容", "审批"]
