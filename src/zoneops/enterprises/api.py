"""REST endpoints under /api/enterprises/…, with the same rules as the pages (services)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from zoneops.api.viewsets import (
    BulkErrorsSerializer,
    BulkResultSerializer,
    PeoplePickerMixin,
    ScopedModelViewSet,
    bulk_response,
)
from zoneops.core.db import versions
from zoneops.core.rest.fields import CodedReferencesSerializer
from zoneops.core.zones import geo
from zoneops.enterprises import filters, services
from zoneops.enterprises.models import (
    Certification,
    Contact,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    IndustrialChain,
    Industry,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    ScaleUpApplication,
    SupportMeasure,
    Visit,
    VisitPhoto,
)
from zoneops.enterprises.uscc import problem as uscc_problem
from zoneops.jobs.api import BULK_ACCEPTED, bulk_as_job


def _visible_zone(serializer, zone):
    user = serializer.context["request"].user
    if zone is not None and not user.visible_zones().filter(pk=zone.pk).exists():
        raise serializers.ValidationError(_("Unknown zone."))
    return zone


def _visible_enterprise(serializer, enterprise):
    user = serializer.context["request"].user
    if not Enterprise.objects.restrict(user, "view").filter(pk=enterprise.pk).exists():
        raise serializers.ValidationError(_("Unknown enterprise."))
    return enterprise


class IndustrySerializer(CodedReferencesSerializer):
    full_code = serializers.CharField(read_only=True)

    class Meta:
        model = Industry
        fields = ["id", "code", "full_code", "name", "level", "section", "parent"]


class IndustrialChainSerializer(CodedReferencesSerializer):
    class Meta:
        model = IndustrialChain
        fields = ["id", "zone", "name", "description", "source"]

    validate_zone = _visible_zone


class EnterpriseSerializer(CodedReferencesSerializer):
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
    )
    tier = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "zone",
            "address",
            "founded_on",
            "registered_capital",
            "industry",
            "chain",
            "is_chain_leader",
            "status",
            "above_scale",
            "above_scale_since",
            "longitude",
            "latitude",
            "tier",
            "source",
        ]
        # Set by the recorded 升规入统 decision (above-scale-applications) or by hand on the
        # enterprise's page with a reason, never silently.
        read_only_fields = ["above_scale", "above_scale_since"]
        extra_kwargs = geo.API_FIELD_KWARGS

    validate_zone = _visible_zone

    def validate(self, data):
        problem = geo.pair_problem(data, self.instance)
        if problem:
            raise serializers.ValidationError(problem)
        return data

    def validate_uscc(self, value):
        value = value.strip().upper()
        reason = uscc_problem(value)
        if reason:
            raise serializers.ValidationError(reason)
        return value

    def get_tier(self, obj) -> str | None:
        if hasattr(obj, "tier_rank"):  # annotated by the list (services.with_tier_rank)
            return services.tier_for_rank(obj.tier_rank)
        return services.tier_of(obj)


class ScaleUpCandidateSerializer(serializers.Serializer):
    """One 升规入统 candidate (``services.Candidate``); amounts in 万元, growth in percent."""

    enterprise = serializers.IntegerField(source="enterprise_id")
    sector = serializers.CharField()
    threshold = serializers.DecimalField(max_digits=16, decimal_places=2)
    ttm_revenue = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Revenue of the last 12 months."
    )
    ytd_revenue = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Revenue of this year so far."
    )
    yoy = serializers.DecimalField(
        max_digits=16, decimal_places=1, allow_null=True, help_text="Year-on-year growth, %."
    )
    projected = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="This year's revenue at this year's growth.",
    )
    reached = serializers.BooleanField(help_text="The threshold is reached already.")
    reason = serializers.CharField()


class ContactSerializer(CodedReferencesSerializer):
    class Meta:
        model = Contact
        fields = ["id", "enterprise", "name", "role", "phone", "is_primary", "source"]

    validate_enterprise = _visible_enterprise

    def validate_phone(self, value):
        try:
            return services.clean_phone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = services.phone_for(self.context["request"].user, instance.phone)
        return data


class CertificationSerializer(CodedReferencesSerializer):
    class Meta:
        model = Certification
        fields = [
            "id",
            "enterprise",
            "kind",
            "level",
            "certificate_no",
            "issued_on",
            "expires_on",
            "evidence",
            "rank",
            "source",
        ]
        read_only_fields = ["rank", "evidence"]

    validate_enterprise = _visible_enterprise


class LiaisonAssignmentSerializer(PeoplePickerMixin, CodedReferencesSerializer):
    class Meta:
        model = LiaisonAssignment
        fields = ["id", "enterprise", "user", "is_lead", "since", "source"]

    validate_enterprise = _visible_enterprise

    def validate(self, data):
        enterprise, user = data.get("enterprise"), data.get("user")
        if enterprise and user and not user.visible_zones().filter(pk=enterprise.zone_id).exists():
            raise serializers.ValidationError({"user": _("Not granted the enterprise's zone.")})
        return data


class VisitPhotoSerializer(CodedReferencesSerializer):
    """A visit photo; ``url`` serves it to whoever may see the visit."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = VisitPhoto
        fields = ["id", "name", "content_type", "size", "sha256", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("enterprises:visitphoto", args=[obj.pk])


class VisitPhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, WebP or GIF photo, at most 10 MB.")


class VisitSerializer(PeoplePickerMixin, CodedReferencesSerializer):
    photos = VisitPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "enterprise",
            "visited_on",
            "cadre",
            "people_met",
            "findings",
            "appeals_raised",
            "photos",
            "source",
        ]
        extra_kwargs = {"cadre": {"required": False}}

    validate_enterprise = _visible_enterprise

    def create(self, validated_data):
        request = self.context["request"]
        try:
            return services.record_visit(
                validated_data.pop("enterprise"),
                acting_user=request.user,
                **{k: v for k, v in validated_data.items() if k != "source"},
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class SupportMeasureSerializer(PeoplePickerMixin, CodedReferencesSerializer):
    class Meta:
        model = SupportMeasure
        fields = ["id", "entry", "measure", "cadre", "department", "due_on", "status", "done_on"]


class CultivationEntrySerializer(CodedReferencesSerializer):
    measures = SupportMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = CultivationEntry
        fields = [
            "id",
            "enterprise",
            "target",
            "target_year",
            "status",
            "entered_on",
            "progress",
            "measures",
            "source",
        ]

    validate_enterprise = _visible_enterprise

    def create(self, validated_data):
        try:
            return services.add_to_pool(
                validated_data["enterprise"],
                acting_user=self.context["request"].user,
                target=validated_data["target"],
                target_year=validated_data["target_year"],
                progress=validated_data.get("progress", ""),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ScaleUpEventSerializer(serializers.Serializer):
    type = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    on = serializers.DateField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    comment = serializers.CharField()


class ScaleUpApplicationSerializer(CodedReferencesSerializer):
    """升规入统 of one enterprise: POST starts it (培育); ``apply`` and ``decide`` move it on."""

    events = ScaleUpEventSerializer(many=True, read_only=True)

    class Meta:
        model = ScaleUpApplication
        fields = [
            "id",
            "enterprise",
            "year",
            "state",
            "applied_on",
            "decided_on",
            "admitted_on",
            "refusal_reason",
            "events",
            "source",
        ]
        read_only_fields = [
            "state",
            "applied_on",
            "decided_on",
            "admitted_on",
            "refusal_reason",
        ]

    validate_enterprise = _visible_enterprise

    def create(self, validated_data):
        try:
            return services.start_scale_up(
                validated_data["enterprise"],
                year=validated_data["year"],
                acting_user=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ScaleUpStepSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)


class ScaleUpDecisionSerializer(serializers.Serializer):
    admitted = serializers.BooleanField()
    on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class IdleRevivalSerializer(PeoplePickerMixin, CodedReferencesSerializer):
    class Meta:
        model = IdleRevival
        fields = [
            "id",
            "enterprise",
            "year",
            "status",
            "cause",
            "plan",
            "cadre",
            "resolved_on",
            "source",
        ]
        read_only_fields = ["status", "resolved_on"]

    validate_enterprise = _visible_enterprise


class RevivalGoalSerializer(CodedReferencesSerializer):
    class Meta:
        model = RevivalGoal
        fields = ["id", "zone", "year", "target", "source"]

    validate_zone = _visible_zone


class MonthlyFigureSerializer(CodedReferencesSerializer):
    revenue_yoy = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyFigure
        fields = [
            "id",
            "enterprise",
            "year",
            "month",
            "main_revenue",
            "output_value",
            "tax_paid",
            "employees",
            "rd_expense",
            "energy_use",
            "revenue_yoy",
            "source",
        ]

    validate_enterprise = _visible_enterprise

    def get_revenue_yoy(self, obj) -> str | None:
        previous = getattr(obj, "prev_main_revenue", None)
        value = services.yoy(obj.main_revenue, previous)
        return None if value is None else str(value)

    def validate(self, data):
        enterprise = data.get("enterprise") or getattr(self.instance, "enterprise", None)
        year = data.get("year") or getattr(self.instance, "year", None)
        month = data.get("month") or getattr(self.instance, "month", None)
        try:
            services.ensure_unlocked(enterprise, year, month)
            if self.instance is not None:
                services.ensure_unlocked(
                    self.instance.enterprise, self.instance.year, self.instance.month
                )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return data


class MonthlyFigureBulkItemSerializer(serializers.Serializer):
    """One record of ``POST figures/bulk/`` (documentation: the service checks every value)."""

    uscc = serializers.CharField(
        required=False, help_text="统一社会信用代码 of the enterprise (or give `enterprise`)."
    )
    enterprise = serializers.IntegerField(required=False, help_text="The enterprise's id.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    main_revenue = serializers.DecimalField(16, 2, required=False)
    output_value = serializers.DecimalField(16, 2, required=False)
    tax_paid = serializers.DecimalField(16, 2, required=False)
    employees = serializers.IntegerField(min_value=0, required=False)
    rd_expense = serializers.DecimalField(16, 2, required=False)
    energy_use = serializers.DecimalField(14, 2, required=False)
    source = serializers.CharField(required=False, max_length=300)


class MonthApprovalSerializer(CodedReferencesSerializer):
    class Meta:
        model = MonthApproval
        fields = [
            "id",
            "zone",
            "year",
            "month",
            "approved",
            "approved_by",
            "approved_at",
            "reopened_by",
            "reopened_at",
            "reason",
        ]
        read_only_fields = [
            "approved",
            "approved_by",
            "approved_at",
            "reopened_by",
            "reopened_at",
            "reason",
        ]
        validators = []  # approve_month re-approves a reopened month

    validate_zone = _visible_zone

    def create(self, validated_data):
        try:
            return services.approve_month(
                validated_data["zone"],
                validated_data["year"],
                validated_data["month"],
                acting_user=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class IndustryViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]
    base_queryset = Industry.objects.all()
    serializer_class = IndustrySerializer
    filterset_class = filters.IndustryFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class IndustrialChainViewSet(ScopedModelViewSet):
    base_queryset = IndustrialChain.objects.all()
    serializer_class = IndustrialChainSerializer
    filterset_class = filters.IndustrialChainFilterSet
    search_fields = ["name"]
    ordering_fields = ["name"]


class EnterpriseViewSet(ScopedModelViewSet):
    base_queryset = Enterprise.objects.select_related("industry")  # its code is shown
    serializer_class = EnterpriseSerializer
    filterset_class = filters.EnterpriseFilterSet
    search_fields = ["name", "uscc", "address"]
    ordering_fields = ["name", "uscc", "founded_on", "registered_capital"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request is not None and self.request.method == "GET":
            qs = services.with_tier_rank(qs)  # the tier of each row in the same query
        return qs

    @extend_schema(responses=EnterpriseSerializer(many=True))
    @action(detail=False)
    def mine(self, request):
        """The enterprises the requesting liaison cadre is responsible for."""
        qs = services.with_tier_rank(services.my_enterprises(request.user))
        page = self.paginate_queryset(self.filter_queryset(qs))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        responses={200: ScaleUpCandidateSerializer(many=True)},
        description=(
            "升规入统: operating enterprises not above scale whose revenue of the last 12 months "
            "reaches their sector's threshold, or is within 20% of it and reaches it at this "
            "year's pace; the most advanced first, with the reason for each. Amounts in 万元. "
            "Takes the enterprise list's filters and search."
        ),
    )
    @action(detail=False, url_path="scale-up-candidates")
    def scale_up_candidates(self, request):
        queryset = self.filter_queryset(self.get_queryset())

        def page():
            user = request.user
            within = None if user.sees_all_zones else user.visible_zone_ids()
            # Without a search or filter the list is the zones' whole roll-up.
            filtered = set(request.query_params) - {"page", "page_size", "format", "ordering"}
            candidates = services.scale_up_candidates(
                queryset, within=within, whole_zones=not filtered
            )
            rows = self.paginate_queryset(candidates)
            serialized = ScaleUpCandidateSerializer(rows, many=True).data
            return self.get_paginated_response(serialized).data

        # The page kept until the data changes: a province's candidates are worked out from two
        # million enterprises' figures (seconds), and every reader asks for the same first page.
        return Response(
            versions.cached(
                "api.scale_up_candidates",
                lambda: (
                    versions.query_key(queryset),
                    request.build_absolute_uri(),
                    timezone.localdate(),
                ),
                page,
            )
        )


class ContactViewSet(ScopedModelViewSet):
    base_queryset = Contact.objects.select_related("enterprise")
    serializer_class = ContactSerializer
    filterset_class = filters.ContactFilterSet
    search_fields = ["name", "role"]
    ordering_fields = ["name"]


class CertificationViewSet(ScopedModelViewSet):
    base_queryset = Certification.objects.all()
    serializer_class = CertificationSerializer
    filterset_class = filters.CertificationFilterSet
    search_fields = ["certificate_no", "enterprise__name"]
    ordering_fields = ["issued_on", "expires_on"]


class LiaisonAssignmentViewSet(ScopedModelViewSet):
    base_queryset = LiaisonAssignment.objects.select_related("enterprise", "user")
    serializer_class = LiaisonAssignmentSerializer
    filterset_class = filters.LiaisonAssignmentFilterSet
    search_fields = ["enterprise__name", "user__username"]
    ordering_fields = ["since"]


class VisitViewSet(ScopedModelViewSet):
    base_queryset = Visit.objects.select_related("enterprise", "cadre").prefetch_related("photos")
    serializer_class = VisitSerializer
    filterset_class = filters.VisitFilterSet
    search_fields = ["findings", "enterprise__name"]
    ordering_fields = ["visited_on"]

    @extend_schema(
        request={"multipart/form-data": VisitPhotoUploadSerializer},
        responses={201: VisitPhotoSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Add a photo to the visit (checked by content, its location removed)."""
        visit = self.get_object()
        incoming = VisitPhotoUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            photo = services.add_visit_photo(
                visit, incoming.validated_data["file"], acting_user=request.user
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from None
        return Response(VisitPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class CultivationEntryViewSet(ScopedModelViewSet):
    base_queryset = CultivationEntry.objects.select_related("enterprise").prefetch_related(
        "measures"
    )
    serializer_class = CultivationEntrySerializer
    filterset_class = filters.CultivationEntryFilterSet
    search_fields = ["enterprise__name"]
    ordering_fields = ["target_year"]


class ScaleUpApplicationViewSet(ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    base_queryset = ScaleUpApplication.objects.select_related("enterprise").prefetch_related(
        "events"
    )
    serializer_class = ScaleUpApplicationSerializer
    filterset_class = filters.ScaleUpApplicationFilterSet
    search_fields = ["enterprise__name", "enterprise__uscc"]
    ordering_fields = ["year", "applied_on", "decided_on"]

    def _step(self, request, run):
        application = self.get_object()
        try:
            application = run(application)
        except DjangoValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(self.base_queryset.get(pk=application.pk)).data)

    @extend_schema(request=ScaleUpStepSerializer, responses=ScaleUpApplicationSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """申报: the zone has applied to the statistics bureau (``on``: the date, today if left
        out)."""
        data = ScaleUpStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(
            request,
            lambda a: services.apply_scale_up(
                a, on=data.validated_data.get("on"), acting_user=request.user
            ),
        )

    @extend_schema(request=ScaleUpDecisionSerializer, responses=ScaleUpApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The bureau's decision: ``admitted`` true (入统 on ``on``: the enterprise becomes above
        scale since then) or false with the bureau's ``reason``."""
        data = ScaleUpDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self._step(
            request,
            lambda a: services.decide_scale_up(
                a,
                admitted=values["admitted"],
                on=values["on"],
                reason=values["reason"],
                acting_user=request.user,
            ),
        )


class SupportMeasureViewSet(ScopedModelViewSet):
    base_queryset = SupportMeasure.objects.select_related("entry__enterprise")
    serializer_class = SupportMeasureSerializer
    filterset_class = filters.SupportMeasureFilterSet
    search_fields = ["measure"]
    ordering_fields = ["due_on"]


class RevivalStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=IdleRevival.Status.choices,
        help_text="idle → reviving → revived / exited (revived: operating again; exited: "
        "deregistered).",
    )


class MonthReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the approved month is reopened (audited).")


class IdleRevivalViewSet(ScopedModelViewSet):
    base_queryset = IdleRevival.objects.select_related("enterprise")
    serializer_class = IdleRevivalSerializer
    filterset_class = filters.IdleRevivalFilterSet
    search_fields = ["enterprise__name"]
    ordering_fields = ["year"]

    @extend_schema(request=RevivalStatusSerializer, responses=IdleRevivalSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        revival = self.get_object()
        wanted = RevivalStatusSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            revival = services.set_revival_status(
                revival, wanted.validated_data["status"], acting_user=request.user
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"detail": exc.messages}) from None
        return Response(self.get_serializer(revival).data)


class RevivalGoalViewSet(ScopedModelViewSet):
    base_queryset = RevivalGoal.objects.select_related("zone")
    serializer_class = RevivalGoalSerializer
    filterset_class = filters.RevivalGoalFilterSet
    search_fields = ["zone__name"]
    ordering_fields = ["year"]


class MonthlyFigureViewSet(ScopedModelViewSet):
    """Monthly figures of enterprises, newest month first, then by enterprise id (newest
    enterprise first)."""

    # Not by the enterprise's name as on the pages: a province holds 72 million figures, and
    # sorting a month of them by a name in another table took 200 ms a page. All three keys
    # descending, so that figure_period_revenue (year, month, enterprise) read backwards gives
    # the page: with the enterprise ascending PostgreSQL sorted a whole month (two million
    # figures, 6 s).
    base_queryset = services.with_yoy(MonthlyFigure.objects.all())
    serializer_class = MonthlyFigureSerializer
    filterset_class = filters.MonthlyFigureFilterSet
    search_fields = ["enterprise__name", "enterprise__uscc"]
    ordering_fields = ["year", "month", "main_revenue"]
    ordering = ["-year", "-month", "-enterprise_id"]

    @extend_schema(
        request=MonthlyFigureBulkItemSerializer(many=True),
        responses={200: BulkResultSerializer, 202: BULK_ACCEPTED, 400: BulkErrorsSerializer},
        description=(
            "Create or update many monthly figures at once (data from other systems), keyed by "
            "enterprise (uscc or id), year and month. All or nothing: on any error nothing is "
            "written and every refused record is listed in the error body's errors with its "
            "row (from 0), field and value. "
            "Figures left out keep their value. Same zone and role rules as one figure; "
            "approved months are refused; every write is in the audit trail."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        queued = bulk_as_job(request, services.FIGURES_BULK_WORK, title=_("Monthly figures (API)"))
        if queued is not None:
            return queued
        # A refusal (PermissionDenied) becomes a 403 in DRF's exception handler.
        result = services.upsert_monthly_figures(request.data, acting_user=request.user)
        return bulk_response(result)


class MonthApprovalViewSet(ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    base_queryset = MonthApproval.objects.select_related("zone")
    serializer_class = MonthApprovalSerializer
    filterset_class = filters.MonthApprovalFilterSet
    search_fields = ["zone__name"]
    ordering_fields = ["year", "month"]

    @extend_schema(request=MonthReopenSerializer, responses=MonthApprovalSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        approval = self.get_object()
        given = MonthReopenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            approval = services.reopen_month(
                approval, acting_user=request.user, reason=given.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"detail": exc.messages}) from None
        return Response(self.get_serializer(approval).data)


def register(router) -> None:
    router.register(
        "industries", IndustryViewSet, basename="industry", moved_from="enterprises/industries"
    )
    router.register(
        "industrial-chains",
        IndustrialChainViewSet,
        basename="industrialchain",
        moved_from="enterprises/chains",
    )
    router.register(
        "contacts", ContactViewSet, basename="contact", moved_from="enterprises/contacts"
    )
    router.register(
        "certifications",
        CertificationViewSet,
        basename="certification",
        moved_from="enterprises/certifications",
    )
    router.register(
        "liaisons",
        LiaisonAssignmentViewSet,
        basename="liaisonassignment",
        moved_from="enterprises/liaisons",
    )
    router.register("visits", VisitViewSet, basename="visit", moved_from="enterprises/visits")
    router.register(
        "cultivation-pool",
        CultivationEntryViewSet,
        basename="cultivationentry",
        moved_from="enterprises/pool",
    )
    router.register(
        "support-measures",
        SupportMeasureViewSet,
        basename="supportmeasure",
        moved_from="enterprises/measures",
    )
    router.register(
        "idle-revivals", IdleRevivalViewSet, basename="idlerevival", moved_from="enterprises/idle"
    )
    router.register(
        "revival-goals",
        RevivalGoalViewSet,
        basename="revivalgoal",
        moved_from="enterprises/revival-goals",
    )
    router.register(
        "monthly-figures",
        MonthlyFigureViewSet,
        basename="monthlyfigure",
        moved_from="enterprises/figures",
    )
    router.register(
        "month-approvals",
        MonthApprovalViewSet,
        basename="monthapproval",
        moved_from="enterprises/approvals",
    )
    router.register(
        "above-scale-applications", ScaleUpApplicationViewSet, basename="scaleupapplication"
    )
    router.register(
        "enterprises",
        EnterpriseViewSet,
        basename="enterprise",
        moved_from="enterprises/enterprises",
    )
