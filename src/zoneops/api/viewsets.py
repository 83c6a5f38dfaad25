from rest_framework import viewsets

from zoneops.api.permissions import RolePermission
from zoneops.core.permissions import CHANGE, DELETE, VIEW


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A viewset whose rows come through ``restrict(user, action)`` like every page's."""

    permission_classes = [RolePermission]
    base_queryset = None

    def get_queryset(self):
        action = VIEW
        if self.request is not None and self.request.method in ("PUT", "PATCH"):
            action = CHANGE
        elif self.request is not None and self.request.method == "DELETE":
            action = DELETE
        qs = self.base_queryset.all()
        if self.request is None or getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs.restrict(self.request.user, action)
