from rest_framework import serializers

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.filters import DepartmentFilterSet, ZoneFilterSet
from zoneops.core.models import Department, Zone


class ZoneSerializer(serializers.ModelSerializer):
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
            raise serializers.ValidationError("Unknown parent zone.")
        return parent


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "zone", "name", "code", "source"]


class ZoneViewSet(ScopedModelViewSet):
    base_queryset = Zone.objects.all()
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "path"]


class DepartmentViewSet(ScopedModelViewSet):
    base_queryset = Department.objects.select_related("zone")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name"]


def register(router) -> None:
    router.register("zones", ZoneViewSet, basename="zone")
    router.register("departments", DepartmentViewSet, basename="department")
