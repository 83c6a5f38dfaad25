"""The hazard loop (隐患排查整改闭环): found → assigned → rectifying → rectified (with evidence)
→ verified (by someone other than the owner) → closed, or back to rectifying for rework.

Major hazards run in their own workflow kind with the same steps and a faster escalation.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.core.loop.workflows import Transition, Workflow, register
from zoneops.core.models import Role

GENERAL, MAJOR = "hazard", "hazard_major"

STATES = {
    "found": _("Found"),
    "assigned": _("Assigned"),
    "rectifying": _("Rectifying"),
    "rectified": _("Rectified, awaiting verification"),
    "verified": _("Verified"),
    # 销号, not the appeals' 办结: the same English word, another word in Chinese.
    "closed": pgettext_lazy("hazard", "Closed"),
}
STAFF = frozenset({Role.STAFF})
WORKERS = frozenset({Role.STAFF, Role.LIAISON})


def default_limit(major: bool) -> int:
    """Working days to rectify when no deadline is given."""
    limits = getattr(settings, "ZONEOPS_HAZARD_LIMITS", {"general": 10, "major": 5})
    return int(limits["major" if major else "general"])


T = Transition
TRANSITIONS = {
    t.name: t
    for t in [
        T("assign", _("Assign an owner"), ("found",), "assigned", STAFF, assigns=True),
        T(
            "reassign",
            _("Change the owner"),
            ("assigned", "rectifying"),
            "assigned",
            STAFF,
            requires_comment=True,
            assigns=True,
        ),
        T("start", _("Start rectifying"), ("assigned",), "rectifying", WORKERS, handler_may=True),
        T(
            "rectify",
            _("Report rectified (with evidence)"),
            ("rectifying",),
            "rectified",
            WORKERS,
            handler_may=True,
            requires_comment=True,
        ),
        T(
            "verify",
            _("Verify the rectification"),
            ("rectified",),
            "verified",
            STAFF,
            not_handler=True,
            not_actor_of=("rectify",),
        ),
        T(
            "rework",
            _("Return for rework"),
            ("rectified",),
            "rectifying",
            STAFF,
            requires_comment=True,
            not_handler=True,
            not_actor_of=("rectify",),
        ),
        T(
            "extend",
            _("Extend the deadline"),
            ("assigned", "rectifying"),
            None,
            STAFF,
            requires_comment=True,
            extends=True,
        ),
        T("close", pgettext_lazy("hazard", "Close"), ("verified",), "closed", STAFF, closes=True),
    ]
}
COMMON = {
    "states": STATES,
    "initial": "found",
    "transitions": TRANSITIONS,
    "closed_states": frozenset({"closed"}),
    # Once reported rectified the owner's deadline is met; verification is the checker's.
    "waiting_states": frozenset({"rectified", "verified"}),
}
HAZARD = register(
    Workflow(
        kind=GENERAL,
        label=_("Safety hazard"),
        limit_working_days=10,
        due_soon_working_days=1,
        escalation_after=(1, 3, 5),
        **COMMON,
    )
)
MAJOR_HAZARD = register(
    Workflow(
        kind=MAJOR,
        label=_("Major safety hazard"),
        limit_working_days=5,
        due_soon_working_days=2,
        # Overdue and to the department head at once, to the leader after two working days.
        escalation_after=(1, 1, 2),
        **COMMON,
    )
)


def kind_for(level: str) -> str:
    return MAJOR if level == "major" else GENERAL
