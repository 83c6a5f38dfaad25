"""The framework's own REST resources: zones, departments, the audit trail and security
events. They live in the api package (which may import core) so that core never imports api.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from zoneops.api.permissions import RolePermission
from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.accounts import security
from zoneops.core.models import Department, ObjectChange, SecurityEvent, Zone
from zoneops.core.rest.fields import CodedReferencesSerializer
from zoneops.core.ui.filters import (
    DepartmentFilterSet,
    ObjectChangeFilterSet,
    SecurityEventFilterSet,
    ZoneFilterSet,
)
from zoneops.core.zones import services as zone_services


class ZoneSerializer(CodedReferencesSerializer):
    class Meta:
        model = Zone
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parent",
            "division_code",
            "path",
            "depth",
            "source",
        ]
        read_only_fields = ["path", "depth"]

    def validate_parent(self, parent):
        user = self.context["request"].user
        if parent is not None and not user.visible_zones().filter(pk=parent.pk).exists():
            raise serializers.ValidationError(_("Unknown parent zone."))
        return parent

    def validate(self, attrs):
        instance = self.instance or Zone()
        parent = attrs.get("parent", instance.parent)
        zone_services.check_zone_tree(instance, parent, acting_user=self.context["request"].user)
        return attrs


class DepartmentSerializer(CodedReferencesSerializer):
    class Meta:
        model = Department
        fields = ["id", "zone", "name", "code", "source"]


class ZoneViewSet(ScopedModelViewSet):
    base_queryset = Zone.objects.all()
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "path"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.user.role != "admin":
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("Only the system administrator changes the zone tree.")


class DepartmentViewSet(ScopedModelViewSet):
    base_queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name"]


class ObjectChangeSerializer(CodedReferencesSerializer):
    content_type = serializers.SlugRelatedField(slug_field="model", read_only=True)

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "time",
            "user",
            "user_name",
            "request_id",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "zone_id",
            "changes",
        ]


class SecurityEventSerializer(CodedReferencesSerializer):
    class Meta:
        model = SecurityEvent
        fields = ["id", "time", "type", "user", "username", "address", "path", "detail"]


class AuditTrailViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, read only for everyone: no method writes, changes or deletes a row.

    Readers are the roles the model names (the auditor; the security administrator for
    security events); each page read is itself logged as an export.
    """

    permission_classes = [RolePermission]
    base_queryset = None

    def get_queryset(self):
        qs = self.base_queryset.all()
        if self.request is None or getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs.restrict(self.request.user, "view")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        security.log_event(
            SecurityEvent.Type.EXPORT,
            request,
            model=self.base_queryset.model._meta.label,
            query=request.GET.urlencode()[:500],
            api=True,
        )
        return response


class ObjectChangeViewSet(AuditTrailViewSet):
    base_queryset = ObjectChange.objects.all()
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    search_fields = ["object_repr", "user_name"]
    ordering_fields = ["time"]


class SecurityEventViewSet(AuditTrailViewSet):
    base_queryset = SecurityEvent.objects.all()
    serializer_class = SecurityEventSerializer
    filterset_class = SecurityEventFilterSet
    search_fields = ["username", "path"]
    ordering_fields = ["time"]


def register(router) -> None:
    router.register("audit/changes", ObjectChangeViewSet, basename="objectchange")
    router.register("audit/security-events", SecurityEventViewSet, basename="securityevent")
    router.register("zones", ZoneViewSet, basename="zone")
    router.register("departments", DepartmentViewSet, basename="department")
