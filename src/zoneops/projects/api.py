from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from zoneops.api.viewsets import (
    BulkErrorsSerializer,
    BulkResultSerializer,
    ScopedModelViewSet,
    bulk_response,
)
from zoneops.core.models import Zone
from zoneops.core.rest.fields import CodedReferencesSerializer, DeadlineProvisionalField
from zoneops.core.zones import geo
from zoneops.jobs.api import BULK_ACCEPTED, bulk_as_job
from zoneops.projects import services
from zoneops.projects.filters import (
    BlockerFilterSet,
    MilestoneFilterSet,
    MonthlyInvestmentFilterSet,
    ProgressNoteFilterSet,
    ProjectFilterSet,
)
from zoneops.projects.lights import explain, reasons
from zoneops.projects.models import (
    Blocker,
    Milestone,
    MonthlyInvestment,
    ProgressNote,
    Project,
    Tag,
    tags_from_text,
    tags_to_text,
)


def _visible_zone(serializer, zone: Zone) -> Zone:
    user = serializer.context["request"].user
    if not user.visible_zones().filter(pk=zone.pk).exists():
        raise serializers.ValidationError(_("Unknown zone."))
    return zone


def _changeable_project(serializer, project: Project) -> Project:
    user = serializer.context["request"].user
    if not Project.objects.restrict(user, "change").filter(pk=project.pk).exists():
        raise serializers.ValidationError(_("Unknown project."))
    return project


class ProjectSerializer(CodedReferencesSerializer):
    tags = serializers.ListField(child=serializers.ChoiceField(choices=Tag.choices), required=False)
    light = serializers.SerializerMethodField()
    light_reasons = serializers.SerializerMethodField()
    light_explanation = serializers.SerializerMethodField()
    plan_missing = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "zone",
            "owner_name",
            "enterprise",
            "industry",
            "chain",
            "type",
            "category",
            "stage",
            "total_investment",
            "plan_year",
            "annual_plan",
            "completed_ytd",
            "completed_month",
            "planned_start",
            "actual_start",
            "planned_production",
            "actual_production",
            "planned_completion",
            "actual_completion",
            "tags",
            "leader_name",
            "leader",
            "special_team",
            "responsible_unit",
            "baselined_at",
            "longitude",
            "latitude",
            "light",
            "light_reasons",
            "light_explanation",
            "plan_missing",
            "source",
        ]
        read_only_fields = ["completed_ytd", "completed_month", "baselined_at"]
        extra_kwargs = geo.API_FIELD_KWARGS

    def get_light(self, obj) -> str | None:
        return {0: "green", 1: "yellow", 2: "red"}.get(getattr(obj, "light", None))

    def get_light_reasons(self, obj) -> list[str]:
        if not hasattr(obj, "light"):
            return []
        return [text for _level, text in reasons(obj)]

    def get_light_explanation(self, obj) -> list[str]:
        """Every rule's statement, green ones included (the light's reason in words)."""
        if not hasattr(obj, "light"):
            return []
        return [text for _level, text in explain(obj)]

    def get_plan_missing(self, obj) -> bool | None:
        """本年度计划未下达: a live project without a plan for the current year."""
        return getattr(obj, "plan_missing", None)

    def validate_zone(self, zone):
        return _visible_zone(self, zone)

    def validate(self, data):
        problem = geo.pair_problem(data, self.instance)
        if problem:
            raise serializers.ValidationError(problem)
        return data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["tags"] = tags_from_text(instance.tags)
        return data

    def _save(self, instance, validated):
        tags = validated.pop("tags", None)
        if instance is None:
            instance = Project(**validated)
        else:
            for key, value in validated.items():
                setattr(instance, key, value)
        if tags is not None:
            instance.tags = tags_to_text(tags)
        try:
            return services.save_project(instance, acting_user=self.context["request"].user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class MilestoneSerializer(CodedReferencesSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "baseline_date",
            "planned_date",
            "actual_date",
            "order",
            "source",
        ]
        read_only_fields = ["baseline_date"]

    def validate_project(self, project):
        return _changeable_project(self, project)


class MonthlyInvestmentSerializer(CodedReferencesSerializer):
    class Meta:
        model = MonthlyInvestment
        fields = ["id", "project", "year", "month", "completed_ytd", "source"]

    def validate_project(self, project):
        return _changeable_project(self, project)

    def create(self, validated_data):
        try:
            return services.record_monthly(
                validated_data["project"],
                validated_data["year"],
                validated_data["month"],
                validated_data["completed_ytd"],
                acting_user=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc


class MonthlyInvestmentBulkItemSerializer(serializers.Serializer):
    """One record of ``POST monthly/bulk/`` (documentation: the service checks every value)."""

    code = serializers.CharField(help_text="The project's code.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    completed_ytd = serializers.DecimalField(
        16, 2, min_value=0, help_text="Completed this year (本年累计), 10k yuan."
    )


class BlockerSerializer(CodedReferencesSerializer):
    state = serializers.CharField(source="case.state", read_only=True)
    due_date = serializers.DateField(source="case.due_date", read_only=True)
    deadline_provisional = DeadlineProvisionalField()
    is_open = serializers.BooleanField(source="case.is_open", read_only=True)
    escalation = serializers.IntegerField(source="case.escalation", read_only=True)
    limit_working_days = serializers.IntegerField(
        write_only=True, required=False, min_value=1, max_value=120
    )

    class Meta:
        model = Blocker
        fields = [
            "id",
            "project",
            "case",
            "kind",
            "description",
            "state",
            "due_date",
            "deadline_provisional",
            "is_open",
            "escalation",
            "limit_working_days",
            "source",
        ]
        read_only_fields = ["case"]

    def validate_project(self, project):
        return _changeable_project(self, project)

    def create(self, validated_data):
        try:
            return services.raise_blocker(
                validated_data["project"],
                kind=validated_data["kind"],
                description=validated_data["description"],
                limit_working_days=validated_data.get("limit_working_days"),
                source=validated_data.get("source", ""),
                acting_user=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def validate(self, attrs):
        if self.instance is not None:  # raised for its project, with its limit (services)
            attrs.pop("limit_working_days", None)
            attrs.pop("project", None)
        return attrs


class BlockerTransitionSerializer(serializers.Serializer):
    transition = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True)
    extra_working_days = serializers.IntegerField(required=False, min_value=1)


class ProgressNoteSerializer(CodedReferencesSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ProgressNote
        fields = ["id", "project", "date", "text", "author", "photos", "source"]
        read_only_fields = ["author"]

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]

    def validate_project(self, project):
        return _changeable_project(self, project)

    def create(self, validated_data):
        try:
            return services.add_progress_note(
                validated_data["project"],
                text=validated_data["text"],
                date=validated_data.get("date"),
                acting_user=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc


class ProjectViewSet(ScopedModelViewSet):
    base_queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    search_fields = ["code", "name", "owner_name", "chain"]
    ordering_fields = ["code", "name", "total_investment", "annual_plan", "completed_ytd"]

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.with_lights() if self.request is not None and self.request.method == "GET" else qs


class MilestoneViewSet(ScopedModelViewSet):
    base_queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    search_fields = ["name"]
    ordering_fields = ["planned_date", "actual_date"]
    # By the project's id, not the model's ordering (the project's zone path and code, through
    # two joins): a zone's milestones are paged without joining its zones to sort them.
    ordering = ["project_id", "order", "planned_date", "id"]


class MonthlyInvestmentViewSet(ScopedModelViewSet):
    base_queryset = MonthlyInvestment.objects.all()
    serializer_class = MonthlyInvestmentSerializer
    filterset_class = MonthlyInvestmentFilterSet
    search_fields = ["project__code"]
    ordering_fields = ["year", "month"]
    # By the project's id, not the model's ordering (the project's own, through a join): the
    # unique index (project, year, month) gives the page without sorting a province's millions.
    ordering = ["project_id", "year", "month"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request=MonthlyInvestmentBulkItemSerializer(many=True),
        responses={200: BulkResultSerializer, 202: BULK_ACCEPTED, 400: BulkErrorsSerializer},
        description=(
            "Create or update many months of completed investment at once (data from other "
            "systems), keyed by project code, year and month. All or nothing: on any error "
            "nothing is written and every refused record is listed in the error body's errors "
            "with its row (from 0), field and value. Same checks as the monthly Excel import "
            "and the same zone and role rules as one record; every write is in the audit trail."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        queued = bulk_as_job(
            request, services.INVESTMENTS_BULK_WORK, title=_("Monthly investment (API)")
        )
        if queued is not None:
            return queued
        # A refusal (PermissionDenied) becomes a 403 in DRF's exception handler.
        result = services.upsert_monthly_investments(request.data, acting_user=request.user)
        return bulk_response(result)


class BlockerViewSet(ScopedModelViewSet):
    base_queryset = Blocker.objects.select_related("project", "case")
    serializer_class = BlockerSerializer
    filterset_class = BlockerFilterSet
    search_fields = ["description"]
    ordering_fields = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=BlockerTransitionSerializer, responses=BlockerSerializer)
    @action(detail=True, methods=["post"], serializer_class=BlockerTransitionSerializer)
    def transition(self, request, pk=None):
        blocker = self.get_object()
        serializer = BlockerTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.blocker_transition(
                blocker,
                data["transition"],
                acting_user=request.user,
                comment=data.get("comment", ""),
                extra_working_days=data.get("extra_working_days"),
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        blocker.case.refresh_from_db()
        return Response(BlockerSerializer(blocker, context={"request": request}).data)


class ProgressNoteViewSet(ScopedModelViewSet):
    base_queryset = ProgressNote.objects.select_related("project").prefetch_related("photos")
    serializer_class = ProgressNoteSerializer
    filterset_class = ProgressNoteFilterSet
    search_fields = ["text"]
    ordering_fields = ["date"]
    http_method_names = ["get", "post", "head", "options"]


def register(router) -> None:
    router.register("projects", ProjectViewSet, basename="project", moved_from="projects/projects")
    router.register(
        "project-milestones",
        MilestoneViewSet,
        basename="milestone",
        moved_from="projects/milestones",
    )
    router.register(
        "monthly-investments",
        MonthlyInvestmentViewSet,
        basename="monthlyinvestment",
        moved_from="projects/monthly",
    )
    router.register("blockers", BlockerViewSet, basename="blocker", moved_from="projects/blockers")
    router.register(
        "progress-notes", ProgressNoteViewSet, basename="progressnote", moved_from="projects/notes"
    )
