"""REST endpoints under /api/hazards/…: the same services and rules as the pages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from zoneops.api.viewsets import PeoplePickerMixin, ScopedModelViewSet
from zoneops.core.models import User, Zone
from zoneops.core.rest.fields import (
    CodeChoiceField,
    CodedReferencesSerializer,
    DepartmentCodeField,
    LoopSerializerMixin,
    service_call,
)
from zoneops.enterprises.models import Enterprise
from zoneops.hazards import services
from zoneops.hazards.filters import HazardFilterSet, InspectionRoundFilterSet
from zoneops.hazards.models import Category, Hazard, InspectionRound, Level


class HazardSerializer(LoopSerializerMixin, CodedReferencesSerializer):
    serializer_choice_field = CodeChoiceField

    class Meta:
        model = Hazard
        fields = [
            "id",
            "title",
            "level",
            "category",
            "zone",
            "enterprise",
            "place",
            "description",
            "remedy",
            "found_by",
            "found_on",
            "deadline",
            "inspection",
            "state",
            "is_open",
            "escalation",
            "due_date",
            "deadline_provisional",
            "limit_working_days",
            "department",
            "department_id",
            "handler",
            "rectified_on",
            "verified_by",
            "verified_on",
            "rework_count",
            "source",
        ]
        read_only_fields = [
            f for f in fields if f not in ("title", "category", "place", "description", "remedy")
        ]


class HazardCreateSerializer(serializers.Serializer):
    zone = serializers.SlugRelatedField(
        slug_field="code", queryset=Zone.objects.all(), required=False, allow_null=True
    )
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title = serializers.CharField(max_length=200)
    category = CodeChoiceField(choices=Category.choices)
    level = CodeChoiceField(choices=Level.choices, default=Level.GENERAL)
    description = serializers.CharField()
    remedy = serializers.CharField(required=False, allow_blank=True)
    found_on = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    inspection = serializers.PrimaryKeyRelatedField(
        queryset=InspectionRound.objects.all(), required=False, allow_null=True
    )

    def validate(self, data):
        user = self.context["request"].user
        for name, model in (("enterprise", Enterprise), ("inspection", InspectionRound)):
            value = data.get(name)
            if value is not None and not model.objects.restrict(user).filter(pk=value.pk).exists():
                raise serializers.ValidationError({name: _("Unknown.")})
        if data.get("zone") is None and data.get("enterprise") is None:
            raise serializers.ValidationError({"zone": _("Give a zone or an enterprise.")})
        return data


class HazardTransitionSerializer(PeoplePickerMixin, serializers.Serializer):
    transition = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True)
    department = DepartmentCodeField(required=False, allow_null=True)
    handler = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    extra_working_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=60
    )


class HazardViewSet(ScopedModelViewSet):
    base_queryset = Hazard.objects.select_related("case")
    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    search_fields = ["title", "place", "description"]
    ordering_fields = ["id", "found_on", "deadline"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    @extend_schema(request=HazardCreateSerializer, responses=HazardSerializer)
    def create(self, request, *args, **kwargs):
        incoming = HazardCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        zone = data.pop("zone", None) or data["enterprise"].zone
        hazard = service_call(
            lambda: services.report_hazard(zone=zone, acting_user=request.user, **data)
        )
        return Response(HazardSerializer(hazard).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HazardTransitionSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        hazard = self.get_object()
        incoming = HazardTransitionSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        hazard = service_call(
            lambda: services.transition(
                hazard,
                data["transition"],
                acting_user=request.user,
                comment=data.get("comment", ""),
                department=data.get("department"),
                handler=data.get("handler"),
                extra_working_days=data.get("extra_working_days"),
            )
        )
        return Response(HazardSerializer(hazard).data)


class InspectionRoundSerializer(CodedReferencesSerializer):
    class Meta:
        model = InspectionRound
        fields = [
            "id",
            "zone",
            "title",
            "planned_on",
            "done_on",
            "inspectors",
            "enterprises",
            "notes",
            "source",
        ]
        read_only_fields = ["done_on"]

    def validate_zone(self, zone):
        user = self.context["request"].user
        if not user.is_zone_admin and not user.visible_zones().filter(pk=zone.pk).exists():
            raise serializers.ValidationError(_("Unknown zone."))
        return zone

    def validate_enterprises(self, enterprises):
        user = self.context["request"].user
        visible = set(
            Enterprise.objects.restrict(user)
            .filter(pk__in=[e.pk for e in enterprises])
            .values_list("pk", flat=True)
        )
        if any(e.pk not in visible for e in enterprises):
            raise serializers.ValidationError(_("Unknown enterprise."))
        return enterprises


class InspectionRoundViewSet(ScopedModelViewSet):
    base_queryset = InspectionRound.objects.select_related("zone").prefetch_related(
        "inspectors", "enterprises"
    )
    serializer_class = InspectionRoundSerializer
    filterset_class = InspectionRoundFilterSet
    search_fields = ["title", "notes"]
    ordering_fields = ["planned_on", "done_on"]


def register(router) -> None:
    router.register(
        "hazards", HazardViewSet, basename="hazards-hazard", moved_from="hazards/hazards"
    )
    router.register(
        "inspection-rounds",
        InspectionRoundViewSet,
        basename="hazards-inspectionround",
        moved_from="hazards/rounds",
    )
