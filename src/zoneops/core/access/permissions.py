"""Which role may do what. Zone scoping is applied on top by ``RestrictedQuerySet.restrict``."""

from django.db import models

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)

# Default actions per role; a model may narrow or widen them with ``role_actions``.
# 三员分立: the security administrator ("security_admin") and the audit administrator
# ("auditor") have no right on domain data at all; the system administrator keeps the record
# keeping but takes no decision in a closed loop (see ``zoneops.core.loop.workflows``).
DEFAULT_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "staff": frozenset(ACTIONS),
    "liaison": frozenset({VIEW}),
    "leader": frozenset({VIEW}),
}


def role_may(user, action: str, model: type[models.Model]) -> bool:
    """Whether the user's role allows ``action`` on ``model`` at all (zones aside)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    # A superuser acts with its role like anyone else (三员分立: no account may do everything);
    # the flag only opens Django's admin site, whose audit pages are read-only.
    table = getattr(model, "role_actions", None) or DEFAULT_ROLE_ACTIONS
    return action in table.get(user.role, frozenset())
