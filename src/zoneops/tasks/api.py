from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from zoneops.api.viewsets import ScopedModelViewSet
from zoneops.core.models import Zone
from zoneops.core.rest.fields import CodedReferencesSerializer, DeadlineProvisionalField
from zoneops.tasks import services
from zoneops.tasks.filters import (
    CampaignFilterSet,
    GoalFilterSet,
    MilestoneFilterSet,
    ProgressUpdateFilterSet,
    TaskFilterSet,
)
from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task


def _drf(exc):
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc))
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """Related records among those the requesting user sees."""

    def get_queryset(self):
        request = self.context.get("request")
        qs = super().get_queryset()
        return qs.restrict(request.user) if request else qs.none()


class ZoneCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return Zone.objects.restrict(request.user) if request else Zone.objects.none()


class CampaignSerializer(CodedReferencesSerializer):
    zone = ZoneCodeField()

    class Meta:
        model = Campaign
        fields = ["id", "zone", "name", "kind", "starts_on", "ends_on", "description", "source"]

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise ValidationError({"ends_on": _("A campaign ends on or after its first day.")})
        return attrs


class CampaignGoalSerializer(CodedReferencesSerializer):
    campaign = ScopedRelatedField(queryset=Campaign.objects.all())

    class Meta:
        model = Goal
        fields = [
            "id",
            "campaign",
            "name",
            "measure",
            "indicator",
            "target_value",
            "unit",
            "achieved",
            "sort_order",
            "source",
        ]


class TaskSerializer(CodedReferencesSerializer):
    zone = ZoneCodeField()
    state = serializers.CharField(source="case.state", read_only=True)
    due_date = serializers.DateField(source="case.due_date", read_only=True)
    deadline_provisional = DeadlineProvisionalField()
    light = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "zone",
            "campaign",
            "goal",
            "title",
            "description",
            "lead_unit",
            "responsible_unit",
            "supervising_unit",
            "deadline",
            "progress",
            "origin",
            "meeting",
            "decided_on",
            "requested_extension_days",
            "case",
            "state",
            "due_date",
            "deadline_provisional",
            "light",
            "source",
        ]
        read_only_fields = ["progress", "requested_extension_days", "case"]

    def validate(self, attrs):
        if self.instance is not None:
            if "deadline" in attrs and attrs["deadline"] != self.instance.deadline:
                raise ValidationError(
                    {"deadline": _("Change it by an extension in the task's loop.")}
                )
            if "zone" in attrs and attrs["zone"] != self.instance.zone:
                raise ValidationError({"zone": _("A task stays in its zone.")})
        return attrs

    def create(self, validated_data):
        try:
            return services.create_task(acting_user=self.context["request"].user, **validated_data)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _drf(exc) from exc

    def update(self, instance, validated_data):
        # A value sent unchanged (a PUT repeats the deadline and the zone) is not a change.
        changes = {k: v for k, v in validated_data.items() if getattr(instance, k) != v}
        try:
            return services.update_task(
                instance, acting_user=self.context["request"].user, **changes
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _drf(exc) from exc


class TaskTransitionSerializer(serializers.Serializer):
    transition = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    extra_working_days = serializers.IntegerField(required=False, min_value=1, allow_null=True)


class TaskMilestoneSerializer(CodedReferencesSerializer):
    task = ScopedRelatedField(queryset=Task.objects.all())

    class Meta:
        model = Milestone
        fields = ["id", "task", "name", "due_on", "done_on", "sort_order", "source"]


class TaskProgressUpdateSerializer(CodedReferencesSerializer):
    task = ScopedRelatedField(queryset=Task.objects.all())

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "task",
            "cycle",
            "reported_on",
            "progress",
            "text",
            "problems",
            "reported_by",
            "source",
        ]
        read_only_fields = ["reported_by"]
        validators = []  # a second report for a cycle corrects the first

    def save(self, **kwargs):
        data = self.validated_data
        task = data.get("task", getattr(self.instance, "task", None))
        try:
            self.instance = services.report_progress(
                task,
                acting_user=self.context["request"].user,
                cycle=data.get("cycle", getattr(self.instance, "cycle", "")),
                progress=data.get("progress", getattr(self.instance, "progress", 0)),
                text=data.get("text", getattr(self.instance, "text", "")),
                problems=data.get("problems", getattr(self.instance, "problems", "")),
                reported_on=data.get("reported_on"),
                source=data.get("source", ""),
                instance=self.instance,
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _drf(exc) from exc
        return self.instance


class CampaignViewSet(ScopedModelViewSet):
    base_queryset = Campaign.objects.select_related("zone")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["starts_on", "ends_on", "name"]


class GoalViewSet(ScopedModelViewSet):
    base_queryset = Goal.objects.all()
    serializer_class = CampaignGoalSerializer
    filterset_class = GoalFilterSet
    search_fields = ["name"]
    ordering_fields = ["sort_order", "name"]


class TaskViewSet(ScopedModelViewSet):
    base_queryset = Task.objects.select_related("zone", "case")
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    search_fields = ["title", "description", "meeting"]
    ordering_fields = ["deadline", "case__due_date", "progress", "title"]
    # The model's order (case due date, id); the due date is never empty, so the Coalesce
    # changes no position. It keeps PostgreSQL from walking the due-date index of every loop
    # case (appeals and hazards too, 40,000 in a province) to find the first fifty tasks,
    # whose deadlines lie further out: 60 ms, against 15 ms for sorting the tasks themselves.
    ordering = [Coalesce("case__due_date", "deadline").asc(), "id"]

    @extend_schema(request=TaskTransitionSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"], serializer_class=TaskTransitionSerializer)
    def transition(self, request, pk=None):
        """Move the task through its closed loop (start, request_extension, submit, close …)."""
        task = self.get_object()
        serializer = TaskTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            task = services.transition_task(
                task,
                data["transition"],
                acting_user=request.user,
                comment=data.get("comment", ""),
                extra_working_days=data.get("extra_working_days"),
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _drf(exc) from exc
        return Response(TaskSerializer(task, context={"request": request}).data)


class MilestoneViewSet(ScopedModelViewSet):
    base_queryset = Milestone.objects.select_related("task")
    serializer_class = TaskMilestoneSerializer
    filterset_class = MilestoneFilterSet
    search_fields = ["name"]
    ordering_fields = ["due_on", "sort_order"]


class ProgressUpdateViewSet(ScopedModelViewSet):
    base_queryset = ProgressUpdate.objects.select_related("task")
    serializer_class = TaskProgressUpdateSerializer
    filterset_class = ProgressUpdateFilterSet
    search_fields = ["text", "problems", "cycle"]
    ordering_fields = ["reported_on", "progress"]


def register(router) -> None:
    router.register(
        "campaigns", CampaignViewSet, basename="tasks-campaign", moved_from="tasks/campaigns"
    )
    router.register("goals", GoalViewSet, basename="tasks-goal", moved_from="tasks/goals")
    router.register("tasks", TaskViewSet, basename="tasks-task", moved_from="tasks/tasks")
    router.register(
        "task-milestones",
        MilestoneViewSet,
        basename="tasks-milestone",
        moved_from="tasks/milestones",
    )
    router.register(
        "task-updates",
        ProgressUpdateViewSet,
        basename="tasks-progressupdate",
        moved_from="tasks/updates",
    )
