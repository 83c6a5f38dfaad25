"""The closed loop's general extensions: the system as actor, four eyes, requests and their
approval, states in which the clock waits, and the tick's per-kind level expression."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from zoneops.core.loop import services
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, LoopCase, LoopEvent

D = dt.date
STAFF = frozenset({"admin", "staff"})
T = loop.Transition
TEST = loop.register(
    loop.Workflow(
        kind="test_extensions",
        label=_("Standard closed loop"),
        states={"open": "open", "done": "done", "waiting": "waiting", "closed": "closed"},
        initial="open",
        waiting_states=frozenset({"waiting"}),
        transitions={
            t.name: t
            for t in [
                T("assign", "assign", ("open",), "open", STAFF, assigns=True),
                T("ask", "ask", ("open",), None, STAFF, request_for="grant"),
                T("grant", "grant", ("open",), None, STAFF, extends=True, needs_request="ask",
                  not_actor_of=("ask",)),
                T("deny", "deny", ("open",), None, STAFF, needs_request="ask"),
                T("finish", "finish", ("open",), "done", STAFF, handler_may=True),
                T("check", "check", ("done",), "waiting", STAFF, not_handler=True,
                  not_actor_of=("finish",)),
                T("accept", "accept", ("waiting",), "closed", STAFF, closes=True),
            ]
        },
    )
)  # fmt: skip


@pytest.fixture
def case(zone_tree, users):
    return services.open_case(
        kind="test_extensions",
        zone=zone_tree["park"],
        title="测试事项",
        acting_user=users["staff"],
        opened_on=D(2025, 9, 26),
    )


def go(case, name, user, **kw):
    return services.do_transition(case, name, acting_user=user, on=D(2025, 9, 29), **kw).case


def test_request_then_approval_by_another_person(case, users, colleague):
    with pytest.raises(ValidationError):
        go(case, "grant", colleague)  # nothing asked for
    with pytest.raises(ValidationError):
        go(case, "ask", users["staff"])  # an extension request says how many days
    go(case, "ask", users["staff"], extra_working_days=4)
    assert services.pending_request(case, "ask") is not None
    with pytest.raises(ValidationError):
        go(case, "ask", users["staff"], extra_working_days=2)  # one at a time
    with pytest.raises(PermissionDenied):
        go(case, "grant", users["staff"])  # not by the one who asked
    for administrator in ("admin", "security_admin", "auditor"):
        with pytest.raises(PermissionDenied):  # 三员分立: no administrator decides
            go(case, "grant", users[administrator])
    case = go(case, "grant", colleague)
    assert case.due_date == D(2025, 10, 22)  # 16 Oct + 4 working days (Sat 11 Oct worked)
    assert services.pending_request(case, "ask") is None
    go(case, "ask", users["staff"], extra_working_days=1)
    go(case, "deny", users["staff"])
    assert services.pending_request(case, "ask") is None
    assert LoopCase.objects.get(pk=case.pk).due_date == D(2025, 10, 22)


def test_four_eyes_and_public_transitions(case, users, zone_tree, colleague):
    department = Department.objects.create(zone=zone_tree["hitech"], name="应急管理局")
    case = go(case, "assign", users["staff"], department=department, handler=users["liaison"])
    case = go(case, "finish", users["staff"])
    with pytest.raises(PermissionDenied):
        go(case, "check", users["staff"])  # not by who finished it
    LoopCase.objects.filter(pk=case.pk).update(handler=colleague)
    with pytest.raises(PermissionDenied):
        go(case, "check", colleague)  # nor by the handler, whatever their role
    LoopCase.objects.filter(pk=case.pk).update(handler=users["liaison"])
    with pytest.raises(PermissionDenied):
        go(case, "check", users["admin"])  # nor by the system administrator (三员分立)
    case = go(case, "check", colleague)
    assert case.escalation == LoopCase.Escalation.NORMAL  # waiting: the clock stopped
    case = go(case, "accept", None)  # the system (or a service that checked the actor)
    assert case.state == "closed" and LoopEvent.objects.filter(actor=None).exists()


def test_tick_skips_waiting_states_and_updates_by_ranges(zone_tree, users):
    cases = [
        services.open_case(
            kind="test_extensions",
            zone=zone_tree["park"],
            title=f"事项{i}",
            acting_user=None,
            opened_on=D(2025, 9, 1) + dt.timedelta(days=i * 3),
        )
        for i in range(12)
    ]
    LoopCase.objects.filter(pk=cases[0].pk).update(state="waiting")
    day = D(2025, 10, 20)
    result = services.tick(on=day)
    assert result.checked == 11
    for case in LoopCase.objects.exclude(pk=cases[0].pk):
        assert case.escalation == loop.escalation_level(TEST, case.due_date, day), case.due_date
    assert LoopCase.objects.get(pk=cases[0].pk).escalation == 0
    assert len({c.escalation for c in LoopCase.objects.all()}) >= 3
