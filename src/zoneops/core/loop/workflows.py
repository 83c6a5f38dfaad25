"""The closed loop shared by appeals, hazards and tasks: states, transitions, deadlines, escalation.

A ``Workflow`` is data: its states, its transitions (from which states, to which state, which
roles may take them, what else they do) and its time limits. Apps register theirs under a
``kind``; ``zoneops.core.loop.services`` carries the transitions out on ``LoopCase`` rows.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.roles import Role
from zoneops.core.calendar import workdays as calendar

if TYPE_CHECKING:
    from zoneops.core.loop.models import LoopCase


class Escalation(models.IntegerChoices):
    """How late an open case is; ``LoopCase.escalation`` keeps the level the last tick saw."""

    NORMAL = 0, _("On time")
    DUE_SOON = 1, _("Due soon")
    OVERDUE = 2, _("Overdue")
    DEPARTMENT_HEAD = 3, _("Escalated to department head")
    LEADER = 4, _("Escalated to the responsible leader")


# Roles that work on domain data; the three administrators (三员) take no loop decision.
ALL_ROLES = frozenset({Role.STAFF, Role.LIAISON, Role.LEADER})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str | None  # None: stays in its state (e.g. an extension)
    roles: frozenset[str] = frozenset({Role.STAFF})
    handler_may: bool = False  # the assigned handler may take it whatever their role
    requires_comment: bool = False
    assigns: bool = False  # needs a department and a handler
    pauses: bool = False  # stops the clock (waiting for the enterprise)
    resumes: bool = False  # restarts it and moves the due date by the paused working days
    extends: bool = False  # moves the due date by a number of working days
    closes: bool = False
    reopens: bool = False  # back to open: a new deadline from today
    # Four eyes: the case's handler may not take it, nor whoever last took one of
    # ``not_actor_of`` on this case (e.g. verification of a rectification).
    not_handler: bool = False
    not_actor_of: tuple[str, ...] = ()
    # Requests and approvals: a transition with ``request_for="x"`` files a request (it may
    # carry ``extra_working_days``); a transition with ``needs_request="r"`` is possible only
    # while a request filed by transition ``r`` is pending, settles it, and takes the request's
    # working days when none are given. One request of a kind may be pending at a time.
    request_for: str | None = None
    needs_request: str | None = None
    # Hands the case to the responsible leader (提请包保领导协调): the workflow's
    # ``responsible_leaders`` are told, in the bell and in the zone's work groups.
    to_leader: bool = False


@dataclass(frozen=True)
class Workflow:
    kind: str
    label: str | Promise
    states: dict[str, str | Promise]
    initial: str
    transitions: dict[str, Transition]
    limit_working_days: int = 10
    due_soon_working_days: int = 1
    # Working days past the due date at which each level starts: overdue, head, leader.
    escalation_after: tuple[int, int, int] = (1, 3, 5)
    closed_states: frozenset[str] = field(default_factory=frozenset)
    # Open states in which the clock does not run because the case waits for the other side
    # (e.g. an answer waiting for the enterprise's confirmation): no due-soon, no overdue.
    waiting_states: frozenset[str] = field(default_factory=frozenset)
    # The ids of the users a ``to_leader`` transition reaches, e.g. the project's 包保领导 for a
    # blocker; the domain app knows them, the loop does not.
    responsible_leaders: Callable[["LoopCase"], list[int]] | None = None

    def available(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    @property
    def worker_roles(self) -> frozenset[str]:
        """The roles a case's handler may have: those that may do the handler's work (the
        transitions a handler may take), never an administrator's (三员分立)."""
        from zoneops.core.access.roles import ADMINISTRATOR_ROLES

        handled = [t for t in self.transitions.values() if t.handler_may]
        roles = frozenset().union(*(t.roles for t in handled or self.transitions.values()))
        return roles - frozenset(ADMINISTRATOR_ROLES)

    def handlers(self, zone):
        """Whom a case of ``zone`` may be handed to (the handler pickers)."""
        from zoneops.core.accounts.models import User

        return User.objects.working_in(zone, self.worker_roles)

    def settling(self, request_name: str) -> tuple[str, ...]:
        """Names of the transitions that settle a request filed by ``request_name``."""
        return tuple(t.name for t in self.transitions.values() if t.needs_request == request_name)


_registry: dict[str, Workflow] = {}

# Sent inside the transaction of every transition (so that what receivers write, e.g. a
# notification, commits or rolls back with it): sender=LoopCase, case, transition, event,
# acting_user.
transitioned = Signal()
# Sent by ``services.tick`` inside its transaction for each group of cases whose level rises:
# sender=LoopCase, kind, level, rising = [(case id, old level, handler id), ...].
escalated = Signal()


def register(workflow: Workflow) -> Workflow:
    _registry[workflow.kind] = workflow
    return workflow


def get_workflow(kind: str) -> Workflow:
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"No closed-loop workflow is registered for kind {kind!r}") from None


def registered() -> dict[str, Workflow]:
    return dict(_registry)


def escalation_level(workflow: Workflow, due_date: dt.date, today: dt.date) -> int:
    """The escalation level of an open, running case on ``today``."""
    late = calendar.working_days_between(due_date, today)
    overdue_at, head_at, leader_at = workflow.escalation_after
    if late >= leader_at:
        return Escalation.LEADER
    if late >= head_at:
        return Escalation.DEPARTMENT_HEAD
    if late >= overdue_at:
        return Escalation.OVERDUE
    if late >= -workflow.due_soon_working_days:
        return Escalation.DUE_SOON
    return Escalation.NORMAL


def _latest_due_with(late: int, today: dt.date) -> dt.date:
    """The latest due date lying at least ``late`` working days before ``today``: every case due
    on it or earlier is that late (working days are monotone in the due date)."""
    day = today + dt.timedelta(days=max(0, -late) * 3 + 30)
    while calendar.working_days_between(day, today) < late:
        day -= dt.timedelta(days=1)
    return day


def current_escalation(case: "LoopCase", today: dt.date | None = None) -> int:
    """A case's escalation level as of ``today``, read from its deadline rather than from the
    last ``zoneops tick``: the badge, lists, dashboard and pack agree whenever they are read.
    A closed case has none; a paused one keeps the level it had when it paused."""
    if not case.is_open:
        return Escalation.NORMAL
    if case.paused_on is not None or case.kind not in _registry:
        return case.escalation
    day = today or timezone.localdate()
    return max(case.escalation, escalation_level(_registry[case.kind], case.due_date, day))


def escalation_q(level: int, *, today: dt.date | None = None, prefix: str = "case__") -> Q:
    """Open cases at ``level`` or above as of ``today`` (see ``current_escalation``), as a
    filter on a model reaching its case through ``prefix``."""
    day = today or timezone.localdate()
    running = Q()
    for kind, workflow in _registry.items():
        overdue_at, head_at, leader_at = workflow.escalation_after
        late = {
            Escalation.DUE_SOON: -workflow.due_soon_working_days,
            Escalation.OVERDUE: overdue_at,
            Escalation.DEPARTMENT_HEAD: head_at,
            Escalation.LEADER: leader_at,
        }.get(level)
        if late is None:
            continue
        running |= Q(
            **{
                f"{prefix}kind": kind,
                f"{prefix}due_date__lte": _latest_due_with(late, day),
            }
        )
    if not running:  # no workflow registered: only the kept levels count
        running = Q(**{f"{prefix}pk__in": []})
    if level <= Escalation.NORMAL:
        return Q(**{f"{prefix}is_open": True})
    return Q(**{f"{prefix}is_open": True}) & (
        Q(**{f"{prefix}escalation__gte": level})
        | (Q(**{f"{prefix}paused_on__isnull": True}) & running)
    )


def overdue_q(*, today: dt.date | None = None, prefix: str = "case__") -> Q:
    """Open cases past their deadline as of ``today``: what every overdue count counts."""
    return escalation_q(Escalation.OVERDUE, today=today, prefix=prefix)


S = {
    "submitted": _("Submitted"),
    "accepted": _("Accepted"),
    "assigned": _("Assigned"),
    "in_progress": _("In progress"),
    "suspended": _("Suspended"),
    "returned": _("Returned"),
    "replied": _("Replied"),
    "closed": _("Closed"),
}
_STAFF = frozenset({Role.STAFF})
_WORKERS = frozenset({Role.STAFF, Role.LIAISON})

STANDARD = register(
    Workflow(
        kind="standard",
        label=_("Standard closed loop"),
        states=S,
        initial="submitted",
        closed_states=frozenset({"closed"}),
        transitions={
            t.name: t
            for t in [
                Transition("accept", _("Accept"), ("submitted",), "accepted", _STAFF),
                Transition(
                    "assign",
                    _("Assign"),
                    ("accepted", "returned"),
                    "assigned",
                    _STAFF,
                    assigns=True,
                ),
                Transition(
                    "start",
                    _("Start work"),
                    ("assigned",),
                    "in_progress",
                    _WORKERS,
                    handler_may=True,
                ),
                Transition(
                    "return",
                    _("Return"),
                    ("assigned", "in_progress"),
                    "returned",
                    _WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                Transition(
                    "suspend",
                    _("Suspend (waiting for the enterprise)"),
                    ("in_progress",),
                    "suspended",
                    _WORKERS,
                    handler_may=True,
                    requires_comment=True,
                    pauses=True,
                ),
                Transition(
                    "resume",
                    _("Resume"),
                    ("suspended",),
                    "in_progress",
                    _WORKERS,
                    handler_may=True,
                    resumes=True,
                ),
                Transition(
                    "extend",
                    _("Extend the deadline"),
                    ("assigned", "in_progress"),
                    None,
                    _STAFF,
                    requires_comment=True,
                    extends=True,
                ),
                Transition(
                    "reply",
                    _("Reply"),
                    ("in_progress",),
                    "replied",
                    _WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                Transition("close", _("Close"), ("replied",), "closed", _STAFF, closes=True),
                Transition(
                    "reopen",
                    _("Reopen"),
                    ("replied", "closed"),
                    "in_progress",
                    _STAFF,
                    requires_comment=True,
                    reopens=True,
                ),
            ]
        },
    )
)
