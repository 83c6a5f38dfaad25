from rest_framework.permissions import SAFE_METHODS, BasePermission

from zoneops.core.access.permissions import ADD, CHANGE, DELETE, VIEW, role_may
from zoneops.core.accounts import twofactor

_METHOD_ACTION = {"POST": ADD, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class RolePermission(BasePermission):
    """The same role rules as the pages; rows are zone-scoped by the viewset's ``restrict``."""

    def has_permission(self, request, view):
        # The model only: building the view's queryset here (annotations, restrict) would be
        # done again for the list itself.
        base = getattr(view, "base_queryset", None)
        model = base.model if base is not None else view.get_queryset().model
        action = (
            VIEW if request.method in SAFE_METHODS else _METHOD_ACTION.get(request.method, CHANGE)
        )
        if request.user.is_authenticated and twofactor.needs_enrolment(request.user):
            return False  # an administrator without a second factor works nowhere, API included
        return role_may(request.user, action, model)
