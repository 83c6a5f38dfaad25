"""/api/notifications/: the signed-in user's own notifications; routes, the outbox and its dead
letters (administrators); text messages to enterprises (无事不扰)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.access.permissions import role_may
from zoneops.core.access.privacy import mask_phone
from zoneops.core.models import Zone
from zoneops.core.rest.fields import CodedReferencesSerializer, DepartmentCodeField
from zoneops.notifications import services
from zoneops.notifications.filters import OutboxMessageFilterSet, RouteFilterSet
from zoneops.notifications.models import Channel, Event, Notification, OutboxMessage, Route

MAX_ID = 2**63 - 1


class NotificationSerializer(CodedReferencesSerializer):
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

    @extend_schema(
        request=inline_serializer(
            "NotificationsRead",
            {"ids": serializers.ListField(child=serializers.IntegerField(), required=False)},
        ),
        responses=inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark the given ids (or all) as read."""
        ids = request.data.get("ids") if hasattr(request.data, "get") else None
        count = services.mark_read(request.user, ids)
        return Response({"marked": count})


class RouteSerializer(CodedReferencesSerializer):
    """A route. ``webhook_url`` and ``secret`` are write-only; reads show them masked."""

    zone = serializers.SlugRelatedField(slug_field="code", queryset=Zone.objects.all())
    department = DepartmentCodeField(allow_null=True, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    webhook_url = serializers.URLField(write_only=True, required=False, allow_blank=True)
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True)
    webhook_url_masked = serializers.SerializerMethodField()
    secret_masked = serializers.SerializerMethodField()

    class Meta:
        model = Route
        fields = [
            "id", "zone", "department", "name", "events", "channel", "webhook_url", "secret",
            "webhook_url_masked", "secret_masked", "phones", "enabled", "source",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_webhook_url_masked(self, obj) -> str:
        return services.mask_url(obj.webhook_url)

    def get_secret_masked(self, obj) -> str:
        return services.mask_secret(obj.secret)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["events"] = instance.event_list()
        return data

    def validate(self, attrs):
        user = self.context["request"].user
        for name in ("zone", "department"):
            value = attrs.get(name)
            if (
                value is not None
                and not type(value).objects.restrict(user).filter(pk=value.pk).exists()
            ):
                raise serializers.ValidationError({name: _("not found")})
        channel = attrs.get("channel", getattr(self.instance, "channel", None))
        url = attrs.get("webhook_url") or getattr(self.instance, "webhook_url", "")
        if channel in (Channel.WECOM, Channel.DINGTALK) and not url:
            raise serializers.ValidationError(
                {"webhook_url": _("A robot route needs its webhook address.")}
            )
        return attrs

    def _save(self, route, attrs):
        events = attrs.pop("events", None)
        for secret in ("webhook_url", "secret"):
            if not attrs.get(secret):
                attrs.pop(secret, None)
        for key, value in attrs.items():
            setattr(route, key, value)
        if events is not None:
            route.set_events(events)
        try:
            return services.save_route(route, acting_user=self.context["request"].user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc

    def create(self, validated_data):
        return self._save(Route(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class RouteViewSet(ScopedModelViewSet):
    base_queryset = Route.objects.select_related("zone", "department")
    serializer_class = RouteSerializer
    filterset_class = RouteFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]


class OutboxMessageSerializer(CodedReferencesSerializer):
    destination = serializers.SerializerMethodField()

    class Meta:
        model = OutboxMessage
        fields = [
            "id", "zone", "route", "enterprise", "channel", "destination", "event", "text",
            "idempotency_key", "status", "attempts", "next_attempt_at", "last_error",
            "created_at", "sent_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_destination(self, obj) -> str:
        if obj.channel == Channel.SMS:
            return mask_phone(obj.destination)
        if obj.channel == Channel.INAPP:
            return obj.destination
        return services.mask_url(obj.route.webhook_url) if obj.route_id and obj.route else ""


class ResendSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=5000,
    )


class OutboxMessageViewSet(ScopedModelViewSet):
    """Outgoing messages (read only) and ``resend`` for dead ones."""

    http_method_names = ["get", "post", "head", "options"]
    base_queryset = OutboxMessage.objects.select_related("route")
    serializer_class = OutboxMessageSerializer
    filterset_class = OutboxMessageFilterSet
    search_fields = ["text"]
    ordering_fields = ["created_at", "next_attempt_at", "sent_at"]

    @extend_schema(exclude=True)  # POST is for resend/ only
    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    @extend_schema(
        responses=inline_serializer("OutboxQueued", {"queued": serializers.IntegerField()})
    )
    @action(
        detail=False,
        methods=["post"],
        serializer_class=ResendSerializer,
        permission_classes=[IsAuthenticated],
    )
    def resend(self, request):
        """Queue the given dead messages again."""
        if not role_may(request.user, "change", OutboxMessage):
            raise exceptions.PermissionDenied()
        serializer = ResendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            count = services.resend(serializer.validated_data["ids"], acting_user=request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return Response({"queued": count})


class EnterpriseSmsSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    text = serializers.CharField(max_length=300)


class EnterpriseSmsView(viewsets.ViewSet):
    """``POST /api/enterprise-sms/``: a text message to an enterprise's contact,
    refused (400) past the monthly limit per enterprise (无事不扰)."""

    permission_classes = [IsAuthenticated]
    serializer_class = EnterpriseSmsSerializer

    def create(self, request):
        from zoneops.enterprises.models import Enterprise

        serializer = EnterpriseSmsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enterprise = (
            Enterprise.objects.restrict(request.user, "change")
            .filter(pk=serializer.validated_data["enterprise"])
            .first()
        )
        if enterprise is None:
            raise exceptions.NotFound()
        try:
            message = services.send_enterprise_sms(
                enterprise, serializer.validated_data["text"], acting_user=request.user
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"detail": exc.messages}) from exc
        return Response(
            {
                "id": message.pk,
                "this_month": services.enterprise_month_count(enterprise),
                "limit": services.enterprise_monthly_limit(),
            },
            status=201,
        )


def register(router) -> None:
    router.register(
        "notifications",
        NotificationViewSet,
        basename="notifications-notification",
        moved_from="notifications/notifications",
    )
    router.register(
        "notification-routes",
        RouteViewSet,
        basename="notifications-route",
        moved_from="notifications/routes",
    )
    router.register(
        "outbox",
        OutboxMessageViewSet,
        basename="notifications-outboxmessage",
        moved_from="notifications/outbox",
    )
    router.register(
        "enterprise-sms",
        EnterpriseSmsView,
        basename="notifications-enterprise-sms",
        moved_from="notifications/enterprise-sms",
    )
