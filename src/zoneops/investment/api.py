from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.rest.fields import CodedReferencesSerializer, DeadlineProvisionalField
from zoneops.investment import services
from zoneops.investment.filters import (
    AnnualTargetFilterSet,
    EventFilterSet,
    FollowUpFilterSet,
    FundsInPlaceFilterSet,
    LeadFilterSet,
    SigningFilterSet,
)
from zoneops.investment.models import (
    AnnualTarget,
    Event,
    FollowUp,
    FundsInPlace,
    Lead,
    Signing,
)
from zoneops.investment.regions import valid_code


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.messages) from exc
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from exc


class ZoneCheck:
    def validate_zone(self, zone):
        user = self.context["request"].user
        if not user.visible_zones().filter(pk=zone.pk).exists():
            raise serializers.ValidationError(_("Unknown zone."))
        return zone


class LeadRef:
    def validate_lead(self, lead):
        user = self.context["request"].user
        if not Lead.objects.restrict(user, "change").filter(pk=lead.pk).exists():
            raise serializers.ValidationError(_("Unknown lead."))
        return lead


class LeadSerializer(ZoneCheck, CodedReferencesSerializer):
    deadline_provisional = DeadlineProvisionalField(due="assessment_due", start="received_on")

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "zone",
            "investor_company",
            "contact_name",
            "contact_phone",
            "source_division",
            "source_region",
            "industry",
            "chain",
            "method",
            "intended_investment",
            "responsible",
            "stage",
            "stage_changed_on",
            "terminated_reason",
            "received_on",
            "first_contact_due",
            "first_contact_on",
            "assessment_due",
            "deadline_provisional",
            "assessed_on",
            "project",
            "enterprise",
            "landed_on",
            "source",
        ]
        read_only_fields = [
            "stage",
            "stage_changed_on",
            "terminated_reason",
            "source_region",
            "first_contact_due",
            "first_contact_on",
            "assessment_due",
            "assessed_on",
            "project",
            "landed_on",
        ]

    def validate_source_division(self, code):
        if code and not valid_code(code):
            raise serializers.ValidationError(_("Use a six-digit GB/T 2260 code."))
        return code

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["contact_phone"] = services.phone_for(
            self.context["request"].user, instance.contact_phone
        )
        return data

    def create(self, validated_data):
        return _call(
            services.save_lead, Lead(**validated_data), acting_user=self.context["request"].user
        )

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return _call(services.save_lead, instance, acting_user=self.context["request"].user)


class MoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Lead.Stage.choices)
    on = serializers.DateField(required=False)
    comment = serializers.CharField(required=False, allow_blank=True)


class LandSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    on = serializers.DateField(required=False)


class FollowUpSerializer(LeadRef, CodedReferencesSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "lead", "date", "kind", "text", "actor", "source"]
        read_only_fields = ["actor"]

    def create(self, validated_data):
        return _call(
            services.log_follow_up,
            validated_data["lead"],
            text=validated_data["text"],
            kind=validated_data.get("kind", "contact"),
            date=validated_data.get("date"),
            acting_user=self.context["request"].user,
        )


class EventSerializer(ZoneCheck, CodedReferencesSerializer):
    class Meta:
        model = Event
        fields = ["id", "name", "zone", "kind", "date", "location", "source"]


class SigningSerializer(LeadRef, CodedReferencesSerializer):
    class Meta:
        model = Signing
        fields = [
            "id",
            "lead",
            "event",
            "signed_on",
            "amount",
            "is_capital_increase",
            "counted",
            "counted_amount",
            "source",
        ]
        read_only_fields = ["counted", "counted_amount"]

    def create(self, validated_data):
        return _call(
            services.record_signing,
            validated_data["lead"],
            signed_on=validated_data["signed_on"],
            amount=validated_data["amount"],
            event=validated_data.get("event"),
            is_capital_increase=validated_data.get("is_capital_increase", False),
            source=validated_data.get("source", ""),
            acting_user=self.context["request"].user,
        )


class FundsSerializer(LeadRef, CodedReferencesSerializer):
    class Meta:
        model = FundsInPlace
        fields = ["id", "lead", "year", "month", "amount", "source"]

    def create(self, validated_data):
        return _call(
            services.record_funds,
            validated_data["lead"],
            year=validated_data["year"],
            month=validated_data["month"],
            amount=validated_data["amount"],
            source=validated_data.get("source", ""),
            acting_user=self.context["request"].user,
        )


class AnnualTargetSerializer(ZoneCheck, CodedReferencesSerializer):
    class Meta:
        model = AnnualTarget
        fields = [
            "id",
            "zone",
            "year",
            "signed_landed",
            "funds_in_place",
            "big_projects_started",
            "source",
        ]


class LeadViewSet(ScopedModelViewSet):
    base_queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    search_fields = ["name", "investor_company", "chain"]
    ordering_fields = ["received_on", "stage_changed_on", "intended_investment"]

    def _lead_for_change(self):
        lead = self.get_object()
        if not Lead.objects.restrict(self.request.user, "change").filter(pk=lead.pk).exists():
            raise ApiPermissionDenied()
        return lead

    @extend_schema(request=MoveSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], serializer_class=MoveSerializer)
    def move(self, request, pk=None):
        lead = self._lead_for_change()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _call(
            services.move_stage,
            lead,
            data["stage"],
            on=data.get("on"),
            comment=data.get("comment", ""),
            acting_user=request.user,
        )
        lead.refresh_from_db()
        return Response(LeadSerializer(lead, context={"request": request}).data)

    @extend_schema(
        request=LandSerializer,
        responses={
            201: inline_serializer(
                "Landing",
                {
                    "lead": serializers.IntegerField(),
                    "project": serializers.IntegerField(),
                    "enterprise": serializers.IntegerField(allow_null=True),
                },
            )
        },
    )
    @action(detail=True, methods=["post"], serializer_class=LandSerializer)
    def land(self, request, pk=None):
        lead = self._lead_for_change()
        serializer = LandSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        landing = _call(
            services.land,
            lead,
            code=data["code"],
            uscc=data.get("uscc", ""),
            on=data.get("on"),
            acting_user=request.user,
        )
        return Response(
            {
                "lead": landing.lead.pk,
                "project": landing.project.pk,
                "enterprise": getattr(landing.enterprise, "pk", None),
            },
            status=201,
        )


class FollowUpViewSet(ScopedModelViewSet):
    base_queryset = FollowUp.objects.select_related("lead")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    search_fields = ["text"]
    ordering_fields = ["date"]
    http_method_names = ["get", "post", "head", "options"]


class EventViewSet(ScopedModelViewSet):
    base_queryset = Event.objects.select_related("zone")
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    search_fields = ["name"]
    ordering_fields = ["date"]


class SigningViewSet(ScopedModelViewSet):
    base_queryset = Signing.objects.all()
    serializer_class = SigningSerializer
    filterset_class = SigningFilterSet
    search_fields = ["lead__name"]
    ordering_fields = ["signed_on", "amount"]
    http_method_names = ["get", "post", "head", "options"]


class FundsViewSet(ScopedModelViewSet):
    base_queryset = FundsInPlace.objects.all()
    serializer_class = FundsSerializer
    filterset_class = FundsInPlaceFilterSet
    search_fields = ["lead__name"]
    ordering_fields = ["year", "month"]
    http_method_names = ["get", "post", "head", "options"]


class AnnualTargetViewSet(ScopedModelViewSet):
    base_queryset = AnnualTarget.objects.select_related("zone")
    serializer_class = AnnualTargetSerializer
    filterset_class = AnnualTargetFilterSet
    search_fields = ["zone__name"]
    ordering_fields = ["year"]


def register(router) -> None:
    router.register("leads", LeadViewSet, basename="lead", moved_from="investment/leads")
    router.register(
        "follow-ups", FollowUpViewSet, basename="followup", moved_from="investment/follow-ups"
    )
    router.register(
        "investment-events", EventViewSet, basename="event", moved_from="investment/events"
    )
    router.register(
        "signings", SigningViewSet, basename="signing", moved_from="investment/signings"
    )
    router.register(
        "funds-in-place", FundsViewSet, basename="fundsinplace", moved_from="investment/funds"
    )
    router.register(
        "investment-targets",
        AnnualTargetViewSet,
        basename="annualtarget",
        moved_from="investment/targets",
    )
