"""The appeal loop (企业诉求办理闭环) and its time limits in working days.

submitted → accepted → assigned (department + handler) → in progress → replied → closed after
the enterprise confirms or after a revisit; transfer to another department, return with a
reason, extension requested by the handler and approved by someone else, suspension that
pauses the clock, escalation to the coordination meeting (九解一协调) and to the leader, and
reopening when the enterprise is not satisfied.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zoneops.core.loop.workflows import Transition, Workflow, register
from zoneops.core.models import LoopCase, Role

KIND = "appeal"

STATES = {
    "submitted": _("Submitted"),
    "accepted": _("Accepted"),
    "assigned": _("Assigned"),
    "in_progress": _("In progress"),
    "suspended": _("Suspended"),
    "returned": _("Returned"),
    "replied": _("Replied"),
    "closed": _("Closed"),
}
STAFF = frozenset({Role.STAFF})
WORKERS = frozenset({Role.STAFF, Role.LIAISON})
WORKING = ("assigned", "in_progress")

# Published practice: start (accept) within 1 working day, first answer within 2,
# resolve within 10, or 25 when several departments are involved. Override per category
# with settings.ZONEOPS_APPEAL_TIME_LIMITS = {"land": {"resolve": 15}, "*": {...}}.
DEFAULT_LIMITS = {"accept": 1, "answer": 2, "resolve": 10, "resolve_multi": 25}


def limits_for(category: str) -> dict[str, int]:
    overrides = getattr(settings, "ZONEOPS_APPEAL_TIME_LIMITS", {}) or {}
    return {**DEFAULT_LIMITS, **overrides.get("*", {}), **overrides.get(category, {})}


def low_rating() -> int:
    """Ratings at or below this reopen the appeal for a revisit."""
    return int(getattr(settings, "ZONEOPS_APPEAL_LOW_RATING", 2))


# How the automatic escalation levels read for an appeal.
ESCALATION_LABELS = {
    LoopCase.Escalation.NORMAL: _("On time"),
    LoopCase.Escalation.DUE_SOON: _("Due soon"),
    LoopCase.Escalation.OVERDUE: _("Overdue"),
    LoopCase.Escalation.DEPARTMENT_HEAD: _("Overdue: to the coordination meeting"),
    LoopCase.Escalation.LEADER: _("Overdue: to the responsible leader"),
}

T = Transition


def enterprise_lead_cadres(case) -> list[int]:
    """The enterprise's lead liaison cadres (包保领导) for an appeal handed to the leader."""
    from zoneops.enterprises.models import LiaisonAssignment

    return list(
        LiaisonAssignment.objects.filter(enterprise__appeals__case=case, is_lead=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


APPEAL = register(
    Workflow(
        kind=KIND,
        label=_("Enterprise appeal"),
        states=STATES,
        initial="submitted",
        closed_states=frozenset({"closed"}),
        # An answered appeal waits for the enterprise: its clock stops until it is reopened.
        waiting_states=frozenset({"replied"}),
        limit_working_days=DEFAULT_LIMITS["resolve"],
        due_soon_working_days=1,
        escalation_after=(1, 3, 5),
        responsible_leaders=enterprise_lead_cadres,
        transitions={
            t.name: t
            for t in [
                T("accept", _("Accept"), ("submitted",), "accepted", STAFF),
                T(
                    "dismiss",
                    _("Decline (not an appeal we handle)"),
                    ("submitted",),
                    "closed",
                    STAFF,
                    requires_comment=True,
                    closes=True,
                ),
                T("assign", _("Assign"), ("accepted", "returned"), "assigned", STAFF, assigns=True),
                T(
                    "transfer",
                    _("Transfer to another department"),
                    WORKING,
                    "assigned",
                    STAFF,
                    requires_comment=True,
                    assigns=True,
                ),
                T(
                    "start",
                    _("Start work (first answer to the enterprise)"),
                    ("assigned",),
                    "in_progress",
                    WORKERS,
                    handler_may=True,
                ),
                T(
                    "return",
                    _("Return (not ours)"),
                    WORKING,
                    "returned",
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                T(
                    "suspend",
                    _("Suspend (waiting for the enterprise)"),
                    ("in_progress",),
                    "suspended",
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                    pauses=True,
                ),
                T(
                    "resume",
                    _("Resume"),
                    ("suspended",),
                    "in_progress",
                    WORKERS,
                    handler_may=True,
                    resumes=True,
                ),
                T(
                    "request_extension",
                    _("Request an extension"),
                    WORKING,
                    None,
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                    request_for="approve_extension",
                ),
                T(
                    "approve_extension",
                    _("Approve the extension"),
                    WORKING,
                    None,
                    STAFF,
                    extends=True,
                    not_handler=True,
                    not_actor_of=("request_extension",),
                    needs_request="request_extension",
                ),
                T(
                    "reject_extension",
                    _("Refuse the extension"),
                    WORKING,
                    None,
                    STAFF,
                    requires_comment=True,
                    not_handler=True,
                    not_actor_of=("request_extension",),
                    needs_request="request_extension",
                ),
                T(
                    "escalate_meeting",
                    _("Escalate to the coordination meeting (九解一协调)"),
                    (*WORKING, "suspended"),
                    None,
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                T(
                    "escalate_leader",
                    _("Escalate to the responsible leader"),
                    (*WORKING, "suspended"),
                    None,
                    STAFF,
                    requires_comment=True,
                    to_leader=True,
                ),
                T(
                    "reply",
                    _("Reply to the enterprise"),
                    ("in_progress",),
                    "replied",
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                T(
                    "confirm",
                    _("Close: the enterprise confirms"),
                    ("replied",),
                    "closed",
                    STAFF,
                    closes=True,
                ),
                T(
                    "revisit",
                    _("Close after a revisit"),
                    ("replied",),
                    "closed",
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                    closes=True,
                ),
                T(
                    "reopen",
                    _("Reopen for a revisit"),
                    ("replied", "closed"),
                    "in_progress",
                    STAFF,
                    requires_comment=True,
                    reopens=True,
                ),
            ]
        },
    )
)
