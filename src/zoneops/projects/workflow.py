"""The closed loop of a blocker (要素保障问题): registered, assigned, coordinated, resolved."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.core.loop import workflows as loop
from zoneops.core.models import Role

KIND = "blocker"
_STAFF = frozenset({Role.STAFF})
_WORKERS = frozenset({Role.STAFF, Role.LIAISON})

STATES = {
    "raised": _("Registered"),
    "assigned": _("Assigned"),
    "in_progress": _("Being coordinated"),
    "escalated": _("Escalated to the responsible leader"),
    "resolved": _("Resolved"),
    # 销号, not the appeals' 办结: the same English word, another word in Chinese.
    "closed": pgettext_lazy("blocker", "Closed"),
}


def project_leaders(case) -> list[int]:
    """The blocker's project's responsible leader (包保领导), when they have an account."""
    from zoneops.projects.models import Blocker

    return [
        pk
        for pk in Blocker.objects.filter(case=case).values_list("project__leader_id", flat=True)
        if pk
    ]


BLOCKER = loop.register(
    loop.Workflow(
        kind=KIND,
        label=_("Project blocker"),
        states=STATES,
        initial="raised",
        closed_states=frozenset({"closed"}),
        limit_working_days=10,
        escalation_after=(1, 3, 5),
        responsible_leaders=project_leaders,
        transitions={
            t.name: t
            for t in [
                loop.Transition(
                    "assign", _("Assign"), ("raised",), "assigned", _STAFF, assigns=True
                ),
                loop.Transition(
                    "start",
                    _("Start coordinating"),
                    ("assigned",),
                    "in_progress",
                    _WORKERS,
                    handler_may=True,
                ),
                loop.Transition(
                    "escalate",
                    _("Escalate to the responsible leader"),
                    ("assigned", "in_progress"),
                    "escalated",
                    _WORKERS,
                    handler_may=True,
                    requires_comment=True,
                    to_leader=True,
                ),
                loop.Transition(
                    "extend",
                    _("Extend the deadline"),
                    ("assigned", "in_progress", "escalated"),
                    None,
                    _STAFF,
                    requires_comment=True,
                    extends=True,
                ),
                loop.Transition(
                    "resolve",
                    _("Mark resolved"),
                    ("in_progress", "escalated"),
                    "resolved",
                    _WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                loop.Transition(
                    "close",
                    pgettext_lazy("blocker", "Close"),
                    ("resolved",),
                    "closed",
                    _STAFF,
                    closes=True,
                ),
                loop.Transition(
                    "reopen",
                    _("Reopen"),
                    ("resolved", "closed"),
                    "in_progress",
                    _STAFF,
                    requires_comment=True,
                    reopens=True,
                ),
            ]
        },
    )
)
