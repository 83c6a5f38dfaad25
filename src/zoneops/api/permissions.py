from rest_framework.permissions import SAFE_METHODS, BasePermission

from zoneops.core.permissions import ADD, CHANGE, DELETE, VIEW, role_may

_METHOD_ACTION = {"POST": ADD, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class RolePermission(BasePermission):
    """The same role rules as the pages; rows are zone-scoped by the viewset's ``restrict``."""

    def has_permission(self, request, view):
        model = view.get_queryset().model
        action = (
            VIEW if request.method in SAFE_METHODS else _METHOD_ACTION.get(request.method, CHANGE)
        )
        return role_may(request.user, action, model)
