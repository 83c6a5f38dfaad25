"""The closed loop of a blocker (要素保障问题): registered, assigned, coordinated, resolved."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.core import loop
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

BLOCKER = loop.register(
    loop.Workflow(
        kind=KIND,
        label=_("Project blocker"),
        states=STATES,
        initial="raised",
        closed_states=frozenset({"closed"}),
        limit_working_days=10,
        escalation_after=(1, 3, 5),
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
