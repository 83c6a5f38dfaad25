"""REST endpoints under /api/appeals/…: the same services and rules as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from zoneops.api.viewsets import PeoplePickerMixin, ScopedModelViewSet
from zoneops.appeals import services
from zoneops.appeals.filters import AppealFilterSet
from zoneops.appeals.models import Appeal, Category, Channel
from zoneops.appeals.validators import validate_uscc
from zoneops.core.models import User, Zone
from zoneops.core.rest.fields import (  # noqa: F401  (hazards used to import them from here)
    CodeChoiceField,
    CodedReferencesSerializer,
    DeadlineProvisionalField,
    DepartmentCodeField,
    LoopSerializerMixin,
    service_call,
)
from zoneops.enterprises.models import Enterprise


@extend_schema_field(OpenApiTypes.STR)
class AppealSerializer(LoopSerializerMixin, CodedReferencesSerializer):
    serializer_choice_field = CodeChoiceField
    tracking_number = serializers.CharField(source="submission.tracking_number", read_only=True)
    enterprise_name = serializers.CharField(source="submission.enterprise_name", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "tracking_number",
            "title",
            "category",
            "channel",
            "tags",
            "description",
            "zone",
            "enterprise",
            "enterprise_name",
            "visit",
            "submission",
            "state",
            "is_open",
            "escalation",
            "due_date",
            "deadline_provisional",
            "limit_working_days",
            "department",
            "department_id",
            "handler",
            "multi_department",
            "accept_due",
            "answer_due",
            "accepted_on",
            "answered_on",
            "replied_on",
            "coordination",
            "closed_by",
            "close_working_days",
            "closed_on_time",
            "reopen_count",
            "rating",
            "rating_comment",
            "rated_at",
            "source",
        ]
        read_only_fields = [
            f for f in fields if f not in ("title", "category", "tags", "description", "source")
        ]

    def validate_tags(self, value):
        return services.normalise_tags(value)


class AppealCreateSerializer(serializers.Serializer):
    zone = serializers.SlugRelatedField(
        slug_field="code", queryset=Zone.objects.all(), required=False, allow_null=True
    )
    uscc = serializers.CharField(required=False, allow_blank=True, max_length=30)
    enterprise_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=20)
    channel = CodeChoiceField(choices=Channel.choices)
    category = CodeChoiceField(choices=Category.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    tags = serializers.CharField(required=False, allow_blank=True, max_length=200)
    multi_department = serializers.BooleanField(required=False, default=False)
    link_to = serializers.CharField(required=False, allow_blank=True, max_length=20)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, data):
        user = self.context["request"].user
        enterprise = None
        if data.get("uscc"):
            try:
                data["uscc"] = validate_uscc(data["uscc"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"uscc": exc.messages}) from None
            enterprise = Enterprise.objects.restrict(user, "view").filter(uscc=data["uscc"]).first()
        data["enterprise"] = enterprise
        if enterprise is None and not data.get("enterprise_name"):
            raise serializers.ValidationError(
                {"enterprise_name": _("Required without a registered USCC.")}
            )
        zone = data.get("zone") or (enterprise.zone if enterprise else None)
        if zone is None:
            raise serializers.ValidationError({"zone": _("Required without a registered USCC.")})
        data["zone"] = zone
        data["link_submission"] = None
        if data.get("link_to"):
            data["link_submission"] = (
                services.Submission.objects.restrict(user, "view")
                .filter(tracking_number=data["link_to"].strip().upper())
                .first()
            )
            if data["link_submission"] is None:
                raise serializers.ValidationError({"link_to": _("Unknown tracking number.")})
        return data


class TransitionSerializer(PeoplePickerMixin, serializers.Serializer):
    transition = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True)
    department = DepartmentCodeField(required=False, allow_null=True)
    handler = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    extra_working_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=60
    )
    multi_department = serializers.BooleanField(required=False, allow_null=True, default=None)


class RatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True)


class AppealViewSet(ScopedModelViewSet):
    # The case's and submission's fields are shown; department, handler and zone by id only.
    base_queryset = Appeal.objects.select_related("case", "submission")
    serializer_class = AppealSerializer
    filterset_class = AppealFilterSet
    search_fields = ["title", "submission__tracking_number", "submission__enterprise_name"]
    ordering_fields = ["id", "case__due_date", "case__opened_on", "rating"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    @extend_schema(request=AppealCreateSerializer, responses=AppealSerializer)
    def create(self, request, *args, **kwargs):
        incoming = AppealCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        appeal = service_call(
            lambda: services.submit_one(data, acting_user=request.user, source="api")
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        appeal = self.get_object()
        incoming = TransitionSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        appeal = service_call(
            lambda: services.transition(
                appeal,
                data["transition"],
                acting_user=request.user,
                comment=data.get("comment", ""),
                department=data.get("department"),
                handler=data.get("handler"),
                extra_working_days=data.get("extra_working_days"),
                multi_department=data.get("multi_department"),
            )
        )
        return Response(AppealSerializer(appeal).data)

    @extend_schema(request=RatingSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        appeal = self.get_object()
        incoming = RatingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        appeal = service_call(
            lambda: services.rate(
                appeal, data["score"], data.get("comment", ""), acting_user=request.user
            )
        )
        return Response(AppealSerializer(appeal).data)


def register(router) -> None:
    router.register(
        "appeals", AppealViewSet, basename="appeals-appeal", moved_from="appeals/appeals"
    )
