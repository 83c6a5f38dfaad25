"""/api/notifications/: the signed-in user's own notifications."""

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zoneops.notifications import services
from zoneops.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "case", "count", "target", "created_at", "read_at"]

    def get_target(self, obj) -> str:
        return services.target_url(obj)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind"]
    search_fields = ["title"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = Notification.objects.filter(user=self.request.user).select_related("case")
        if self.request.query_params.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark the given ids (or all) as read."""
        ids = request.data.get("ids") if hasattr(request.data, "get") else None
        count = services.mark_read(request.user, ids)
        return Response({"marked": count})


def register(router) -> None:
    router.register(
        "notifications/notifications", NotificationViewSet, basename="notifications-notification"
    )
