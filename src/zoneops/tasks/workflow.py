"""The closed loop of a task: assigned → in progress → (extension) → review → closed (销号)."""

from django.utils.translation import gettext_lazy as _

from zoneops.core.loop.workflows import Transition, Workflow, register
from zoneops.core.models import Role

KIND = "task"
STAFF = frozenset({Role.STAFF})
WORKERS = frozenset({Role.STAFF, Role.LIAISON})

STATES = {
    "assigned": _("Assigned"),
    "in_progress": _("In progress"),
    "extension_requested": _("Extension requested"),
    "review": _("Awaiting review for closure"),
    "closed": _("Closed"),
}

TASK = register(
    Workflow(
        kind=KIND,
        label=_("Task book"),
        states=STATES,
        initial="assigned",
        closed_states=frozenset({"closed"}),
        limit_working_days=20,
        due_soon_working_days=3,  # the yellow light: 3 working days before the deadline
        transitions={
            t.name: t
            for t in [
                Transition(
                    "start", _("Start"), ("assigned",), "in_progress", WORKERS, handler_may=True
                ),
                Transition(
                    "request_extension",
                    _("Request an extension"),
                    ("assigned", "in_progress"),
                    "extension_requested",
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                Transition(
                    "grant_extension",
                    _("Grant the extension"),
                    ("extension_requested",),
                    "in_progress",
                    STAFF,
                    extends=True,
                ),
                Transition(
                    "refuse_extension",
                    _("Refuse the extension"),
                    ("extension_requested",),
                    "in_progress",
                    STAFF,
                    requires_comment=True,
                ),
                Transition(
                    "submit",
                    _("Ask for closure"),
                    ("in_progress",),
                    "review",
                    WORKERS,
                    handler_may=True,
                    requires_comment=True,
                ),
                Transition(
                    "close",
                    _("Close after review"),
                    ("review",),
                    "closed",
                    STAFF,
                    closes=True,
                ),
                Transition(
                    "return",
                    _("Send back"),
                    ("review",),
                    "in_progress",
                    STAFF,
                    requires_comment=True,
                ),
                Transition(
                    "reopen",
                    _("Reopen"),
                    ("closed",),
                    "in_progress",
                    STAFF,
                    requires_comment=True,
                    reopens=True,
                ),
            ]
        },
    )
)
