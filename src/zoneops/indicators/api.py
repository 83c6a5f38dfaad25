from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.models import Zone
from zoneops.core.rest.fields import CodedReferencesSerializer
from zoneops.indicators import selectors, services
from zoneops.indicators.filters import (
    IndicatorFilterSet,
    IndicatorValueFilterSet,
    MonthCloseFilterSet,
    TargetFilterSet,
)
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target


class ScopedZoneField(serializers.SlugRelatedField):
    """A zone by its code, among the zones the requesting user sees."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return Zone.objects.restrict(request.user) if request else Zone.objects.none()


class IndicatorSerializer(CodedReferencesSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "kind",
            "direction",
            "origin",
            "sort_order",
            "is_active",
            "description",
            "source",
        ]


class IndicatorValueSerializer(CodedReferencesSerializer):
    zone = ScopedZoneField()
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "zone",
            "indicator",
            "year",
            "month",
            "value",
            "yoy",
            "yoy_reported",
            "needs_review",
            "review_note",
            "source",
        ]
        read_only_fields = ["yoy_reported", "needs_review", "review_note"]
        validators = []  # a period that has a value already is updated (services.save_value)

    def save(self, **kwargs):
        data = self.validated_data
        try:
            self.instance = services.save_value(
                zone=data.get("zone", getattr(self.instance, "zone", None)),
                indicator=data.get("indicator", getattr(self.instance, "indicator", None)),
                year=data.get("year", getattr(self.instance, "year", None)),
                month=data.get("month", getattr(self.instance, "month", None)),
                value=data.get("value", getattr(self.instance, "value", None)),
                yoy=data.get("yoy"),
                source=data.get("source", ""),
                acting_user=self.context["request"].user,
                instance=self.instance,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return self.instance


class IndicatorTargetSerializer(CodedReferencesSerializer):
    zone = ScopedZoneField()
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())

    class Meta:
        model = Target
        fields = ["id", "zone", "indicator", "year", "department", "value", "growth", "note"]
        validators = []

    def validate(self, attrs):
        value = attrs.get("value", getattr(self.instance, "value", None))
        growth = attrs.get("growth", getattr(self.instance, "growth", None))
        if value is None and growth is None:
            raise ValidationError(_("Give a target value, a target growth or both."))
        department, zone = attrs.get("department"), attrs.get("zone")
        if department is not None and zone is not None and department.zone_id != zone.pk:
            raise ValidationError({"department": _("The department belongs to another zone.")})
        return attrs


class IndicatorMonthCloseSerializer(CodedReferencesSerializer):
    zone = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MonthClose
        fields = [
            "id",
            "zone",
            "year",
            "month",
            "is_locked",
            "approved_by",
            "approved_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
        ]
        read_only_fields = fields


class IndicatorViewSet(ScopedModelViewSet):
    base_queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["sort_order", "code", "name"]


class IndicatorValueViewSet(ScopedModelViewSet):
    base_queryset = IndicatorValue.objects.select_related("zone", "indicator")
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilterSet
    search_fields = ["indicator__name", "indicator__code", "zone__name", "zone__code"]
    ordering_fields = ["year", "month", "value", "yoy"]


class TargetViewSet(ScopedModelViewSet):
    base_queryset = Target.objects.select_related("zone", "indicator")  # codes shown
    serializer_class = IndicatorTargetSerializer
    filterset_class = TargetFilterSet
    search_fields = ["indicator__name", "indicator__code", "zone__name", "zone__code"]
    ordering_fields = ["year", "value", "growth"]


class MonthCloseViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]  # approval goes through the pages

    base_queryset = MonthClose.objects.select_related("zone")
    serializer_class = IndicatorMonthCloseSerializer
    filterset_class = MonthCloseFilterSet
    search_fields = ["zone__name", "zone__code"]
    ordering_fields = ["year", "month"]


def _plain(value):
    """Decimals as strings (exact, like the serializers' amounts), recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class ProgressViewSet(viewsets.ViewSet):
    """GET ?zone=CODE&year=Y&month=M: each indicator's gap against its target."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("zone", str, description="zone code", required=True),
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("month", int, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        code = request.query_params.get("zone", "")
        zone = Zone.objects.restrict(request.user).filter(code=code).first()
        if zone is None:
            raise ValidationError({"zone": _("Unknown zone.")})
        try:
            year = int(request.query_params["year"])
            month = int(request.query_params["month"])
        except (KeyError, ValueError) as exc:
            raise ValidationError(_("year and month are required integers.")) from exc
        if not 1 <= month <= 12:
            raise ValidationError({"month": _("The month must be between 1 and 12.")})
        rows = selectors.progress(zone, year, month, with_target_only=True)
        return Response(
            {
                "zone": zone.code,
                "year": year,
                "month": month,
                "rows": [_plain(r.as_dict()) for r in rows],
            }
        )


def register(router) -> None:
    router.register(
        "indicators",
        IndicatorViewSet,
        basename="indicators-indicator",
        moved_from="indicators/indicators",
    )
    router.register(
        "indicator-values",
        IndicatorValueViewSet,
        basename="indicators-value",
        moved_from="indicators/values",
    )
    router.register(
        "indicator-targets",
        TargetViewSet,
        basename="indicators-target",
        moved_from="indicators/targets",
    )
    router.register(
        "indicator-months",
        MonthCloseViewSet,
        basename="indicators-monthclose",
        moved_from="indicators/months",
    )
    router.register(
        "indicator-progress",
        ProgressViewSet,
        basename="indicators-progress",
        moved_from="indicators/progress",
    )
