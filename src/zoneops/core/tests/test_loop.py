import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zoneops.core.loop import services
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, LoopCase, LoopEvent

D = dt.date
STANDARD = loop.get_workflow("standard")


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")


@pytest.fixture
def case(zone_tree, users):
    return services.open_case(
        kind="standard",
        zone=zone_tree["park"],
        title="企业用电增容诉求",
        acting_user=users["staff"],
        opened_on=D(2025, 9, 26),
    )


def run(case, name, user, **kw):
    return services.do_transition(
        case, name, acting_user=user, on=kw.pop("on", D(2025, 9, 29)), **kw
    ).case


def test_open_case_counts_working_days_over_national_day(case):
    assert case.state == "submitted"
    assert case.due_date == D(2025, 10, 16)  # 10 working days after Fri Sep 26, 2025
    assert case.events.get().transition == "open"


def test_full_loop_records_every_transition(case, users, department):
    staff, liaison = users["staff"], users["liaison"]
    case = run(case, "accept", staff)
    case = run(case, "assign", staff, department=department, handler=liaison)
    assert (case.department, case.handler) == (department, liaison)
    case = run(case, "start", liaison)
    case = run(case, "reply", liaison, comment="已协调供电公司")
    case = run(case, "close", staff)
    assert case.state == "closed" and not case.is_open and case.closed_at
    events = list(
        case.events.values_list("transition", "from_state", "to_state", "actor__username")
    )
    assert events == [
        ("open", "", "submitted", "gx_staff"),
        ("accept", "submitted", "accepted", "gx_staff"),
        ("assign", "accepted", "assigned", "gx_staff"),
        ("start", "assigned", "in_progress", "gx_liaison"),
        ("reply", "in_progress", "replied", "gx_liaison"),
        ("close", "replied", "closed", "gx_staff"),
    ]


@pytest.mark.parametrize(
    "state",
    [
        "submitted",
        "accepted",
        "assigned",
        "in_progress",
        "suspended",
        "returned",
        "replied",
        "closed",
    ],
)
def test_every_illegal_transition_is_rejected_and_changes_nothing(state, case, users, department):
    LoopCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    for name, transition in STANDARD.transitions.items():
        if state in transition.sources:
            continue
        events_before = LoopEvent.objects.count()
        with pytest.raises(ValidationError) as info:
            run(
                case,
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
        fresh = LoopCase.objects.get(pk=case.pk)
        assert (fresh.state, fresh.due_date, fresh.is_open) == (state, case.due_date, case.is_open)
        assert LoopEvent.objects.count() == events_before


def test_unknown_transition_is_rejected(case, users):
    with pytest.raises(ValidationError):
        run(case, "teleport", users["admin"])


def test_roles_and_handler_rights(case, users, department):
    # a liaison may not accept; a leader may do nothing
    with pytest.raises(PermissionDenied):
        run(case, "accept", users["liaison"])
    with pytest.raises(PermissionDenied):
        run(case, "accept", users["leader"])
    case = run(case, "accept", users["staff"])
    # staff of another zone cannot touch this zone's case
    with pytest.raises(PermissionDenied):
        run(case, "assign", users["other_staff"], department=department, handler=users["liaison"])
    assert LoopCase.objects.get(pk=case.pk).state == "accepted"


def test_assign_needs_department_of_the_zone_and_a_granted_handler(case, users, zone_tree):
    case = run(case, "accept", users["staff"])
    foreign = Department.objects.create(zone=zone_tree["econ"], name="经开区经发局")
    with pytest.raises(ValidationError):
        run(case, "assign", users["staff"], department=foreign, handler=users["liaison"])
    with pytest.raises(ValidationError):
        run(case, "assign", users["staff"])
    own = Department.objects.create(zone=zone_tree["hitech"], name="营商局")
    with pytest.raises(ValidationError):
        run(case, "assign", users["staff"], department=own, handler=users["other_staff"])
    assert LoopCase.objects.get(pk=case.pk).state == "accepted"


def test_comment_required_for_return(case, users, department):
    case = run(case, "accept", users["staff"])
    case = run(case, "assign", users["staff"], department=department, handler=users["liaison"])
    with pytest.raises(ValidationError):
        run(case, "return", users["liaison"], comment="  ")
    case = run(case, "return", users["liaison"], comment="不属于本部门职责")
    assert case.state == "returned"


def test_suspension_pauses_the_clock_in_working_days(case, users, department):
    staff, liaison = users["staff"], users["liaison"]
    case = run(case, "accept", staff)
    case = run(case, "assign", staff, department=department, handler=liaison)
    case = run(case, "start", liaison)
    due = case.due_date
    case = run(case, "suspend", liaison, comment="等待企业补充材料", on=D(2025, 9, 30))
    assert case.paused_on == D(2025, 9, 30)
    # resumed on Oct 10: Oct 9 and 10 are the working days paused; the holiday week does not count
    case = run(case, "resume", liaison, on=D(2025, 10, 10))
    assert case.paused_on is None
    assert case.due_date == D(2025, 10, 20)
    assert due == D(2025, 10, 16)


def test_extension_moves_deadline_by_working_days(case, users, department):
    case = run(case, "accept", users["staff"])
    case = run(case, "assign", users["staff"], department=department, handler=users["liaison"])
    with pytest.raises(ValidationError):
        run(case, "extend", users["staff"], comment="需多部门会商")
    case = run(case, "extend", users["staff"], comment="需多部门会商", extra_working_days=15)
    assert case.due_date == D(2025, 11, 6)
    assert case.state == "assigned"


def test_reopen_after_close_gives_a_new_deadline(case, users, department):
    staff, liaison = users["staff"], users["liaison"]
    for name, kw in [
        ("accept", {}),
        ("assign", {"department": department, "handler": liaison}),
        ("start", {}),
        ("reply", {"comment": "已办"}),
        ("close", {}),
    ]:
        case = run(case, name, staff if name in ("accept", "assign", "close") else liaison, **kw)
    case = run(case, "reopen", staff, comment="企业不满意", on=D(2025, 10, 9))
    assert case.is_open and case.state == "in_progress"
    assert case.due_date == D(2025, 10, 22)


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (D(2025, 10, 14), LoopCase.Escalation.NORMAL),
        (D(2025, 10, 15), LoopCase.Escalation.DUE_SOON),  # one working day before
        (D(2025, 10, 16), LoopCase.Escalation.DUE_SOON),  # the due date itself
        (D(2025, 10, 17), LoopCase.Escalation.OVERDUE),
        (D(2025, 10, 19), LoopCase.Escalation.OVERDUE),  # Sunday: still 1 working day late
        (D(2025, 10, 21), LoopCase.Escalation.DEPARTMENT_HEAD),  # 3 working days late
        (D(2025, 10, 23), LoopCase.Escalation.LEADER),  # 5 working days late
    ],
)
def test_escalation_levels(today, level):
    assert loop.escalation_level(STANDARD, D(2025, 10, 16), today) == level


def test_tick_updates_levels_and_logs_rises(zone_tree, users):
    cases = [
        services.open_case(
            kind="standard",
            zone=zone_tree["park"],
            title=f"诉求{i}",
            acting_user=users["staff"],
            opened_on=D(2025, 9, 26),
        )
        for i in range(3)
    ]
    closed = cases[2]
    LoopCase.objects.filter(pk=closed.pk).update(is_open=False)
    result = services.tick(on=D(2025, 10, 21))
    assert result.checked == 2
    assert result.escalated == 2
    levels = dict(LoopCase.objects.values_list("pk", "escalation"))
    assert levels[cases[0].pk] == LoopCase.Escalation.DEPARTMENT_HEAD
    assert levels[closed.pk] == LoopCase.Escalation.NORMAL
    assert LoopEvent.objects.filter(type="escalation").count() == 2
    # running again the same day changes nothing and logs nothing new
    again = services.tick(on=D(2025, 10, 21))
    assert (again.changed, again.escalated) == (0, 0)


def test_transition_via_the_page(client_for, users, case, department):
    client = client_for(users["staff"])
    response = client.post(f"/cases/{case.pk}/", {"transition": "close"})
    assert response.status_code == 302
    assert LoopCase.objects.get(pk=case.pk).state == "submitted"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("不能" in m for m in messages)
    client.post(f"/cases/{case.pk}/", {"transition": "accept"})
    assert LoopCase.objects.get(pk=case.pk).state == "accepted"
    other = client_for(users["other_staff"])
    assert other.get(f"/cases/{case.pk}/").status_code == 404


def test_history_and_case_list_speak_the_workflows_words(client_for, users, case, department):
    client = client_for(users["staff"])
    client.post(f"/cases/{case.pk}/", {"transition": "accept"})
    LoopCase.objects.filter(pk=case.pk).update(due_date=D(2025, 10, 1), escalation=0)
    assert services.tick(on=D(2025, 10, 21)).escalated == 1
    html = client.get(f"/cases/{case.pk}/").content.decode()
    history = html.split('id="loop-events"', 1)[1].split("</table>", 1)[0]
    accepted = str(STANDARD.states["accepted"])
    assert f"{STANDARD.transitions['accept'].label} " in history and f"→ {accepted})" in history
    assert "创建" in history and "升级" in history and "(正常 → " in history
    assert "submitted" not in history and "accept " not in history
    listing = client.get("/cases/", {"kind": "standard"}).content.decode()
    assert f'data-label="类型">{STANDARD.label}<' in listing
    assert client.get("/cases/", {"kind": "nonsense"}).status_code == 400  # the form says why


def test_a_transition_form_that_does_not_validate_moves_nothing(client_for, users, case):
    response = client_for(users["staff"]).post(
        f"/cases/{case.pk}/", {"transition": "accept", "extra_working_days": "0"}
    )
    assert response.status_code == 302
    assert LoopCase.objects.get(pk=case.pk).state == "submitted"
    assert [str(m) for m in response.wsgi_request._messages] == ["请检查填写内容。"]


def test_every_transition_page_posts_through_the_one_view():
    """The loop case's, a blocker's and a task's pages name their service; none writes the
    POST again."""
    from zoneops.core.ui.transitions import TransitionDetailView
    from zoneops.core.ui.views import LoopCaseDetailView
    from zoneops.projects.views import BlockerDetailView
    from zoneops.tasks.views import TaskDetailView

    for view in (LoopCaseDetailView, BlockerDetailView, TaskDetailView):
        assert issubclass(view, TransitionDetailView)
        assert "post" not in vars(view) and "transition" in vars(view)
