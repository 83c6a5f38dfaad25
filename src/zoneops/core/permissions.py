"""Which role may do what. Zone scoping is applied on top by ``RestrictedQuerySet.restrict``."""

from django.db import models

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)

# Default actions per role; a model may narrow or widen them with ``role_actions``.
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
    if user.is_superuser:
        return True
    table = getattr(model, "role_actions", None) or DEFAULT_ROLE_ACTIONS
    return action in table.get(user.role, frozenset())
