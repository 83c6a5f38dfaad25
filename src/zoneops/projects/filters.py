import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from zoneops.core.models import LoopCase, Zone
from zoneops.core.ui.filters import EscalationFilter, LocatedFilterSet, ScopedFilterSet
from zoneops.projects.lights import LIGHT_CHOICES
from zoneops.projects.models import (
    AnnualPlan,
    Blocker,
    Milestone,
    MonthlyInvestment,
    ProgressNote,
    ProgressPhoto,
    Project,
    Tag,
)
from zoneops.projects.workflow import STATES


def within_zone(queryset, name, value, prefix=""):
    if not value:
        return queryset
    return queryset.filter(**{f"{prefix}zone__path__startswith": value.path})


class ProjectFilterSet(LocatedFilterSet, ScopedFilterSet):
    within = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("within zone"), queryset=Zone.objects.all(), method="filter_within"
        )
    )
    type = django_filters.MultipleChoiceFilter(
        label=_("project type"), choices=Project.Type.choices
    )
    category = django_filters.MultipleChoiceFilter(
        label=_("category"), choices=Project.Category.choices
    )
    stage = django_filters.MultipleChoiceFilter(label=_("stage"), choices=Project.Stage.choices)
    light = extend_schema_field(OpenApiTypes.INT)(
        django_filters.MultipleChoiceFilter(
            label=_("light"), choices=LIGHT_CHOICES, method="filter_light"
        )
    )
    tags = django_filters.MultipleChoiceFilter(
        label=_("tags"), choices=Tag.choices, method="filter_tags"
    )
    plan_missing = django_filters.BooleanFilter(
        label=_("no plan for this year"), method="filter_plan_missing"
    )
    zone = django_filters.NumberFilter(label=_("zone"), field_name="zone")
    enterprise = django_filters.NumberFilter(label=_("owner enterprise"), field_name="enterprise")
    plan_year = django_filters.NumberFilter(label=_("plan year"))
    chain = django_filters.CharFilter(label=_("industrial chain"), lookup_expr="icontains")
    industry = django_filters.CharFilter(label=_("industry"), lookup_expr="icontains")

    class Meta:
        model = Project
        fields = {
            "code": ["exact", "icontains"],
            "name": ["icontains"],
            "owner_name": ["icontains"],
            "total_investment": ["gte", "lte"],
            "annual_plan": ["gte", "lte"],
            "completed_ytd": ["gte", "lte"],
            "completed_month": ["exact"],
            "planned_start": ["gte", "lte", "isnull"],
            "actual_start": ["gte", "lte", "isnull"],
            "planned_production": ["gte", "lte"],
            "actual_production": ["gte", "lte", "isnull"],
            "planned_completion": ["gte", "lte"],
            "actual_completion": ["gte", "lte", "isnull"],
            "leader_name": ["icontains"],
            "leader": ["exact"],
            "special_team": ["icontains"],
            "responsible_unit": ["icontains"],
            "baselined_at": ["isnull"],
            "source": ["icontains"],
        }

    def filter_within(self, queryset, name, value):
        return within_zone(queryset, name, value)

    def filter_light(self, queryset, name, value):
        if not value:
            return queryset
        if "light" not in queryset.query.annotations:
            queryset = queryset.with_lights()
        return queryset.filter(light__in=[int(v) for v in value])

    def filter_plan_missing(self, queryset, name, value):
        if value is None:
            return queryset
        if "plan_missing" not in queryset.query.annotations:
            queryset = queryset.with_lights()
        return queryset.filter(plan_missing=value)

    def filter_tags(self, queryset, name, value):
        for tag in value or ():
            queryset = queryset.filter(tags__contains=f",{tag},")
        return queryset


class ProjectChildFilterSet(ScopedFilterSet):
    project = django_filters.NumberFilter(label=_("project"), field_name="project")
    within = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("within zone"), queryset=Zone.objects.all(), method="filter_within"
        )
    )

    def filter_within(self, queryset, name, value):
        return within_zone(queryset, name, value, prefix="project__")


class AnnualPlanFilterSet(ProjectChildFilterSet):
    class Meta:
        model = AnnualPlan
        fields = {
            "year": ["exact"],
            "planned": ["gte", "lte"],
            "baseline": ["isnull"],
            "source": ["icontains"],
        }


class MonthlyInvestmentFilterSet(ProjectChildFilterSet):
    class Meta:
        model = MonthlyInvestment
        fields = {
            "year": ["exact"],
            "month": ["exact"],
            "completed_ytd": ["gte", "lte"],
            "source": ["icontains"],
        }


class MilestoneFilterSet(ProjectChildFilterSet):
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")

    class Meta:
        model = Milestone
        fields = {
            "name": ["icontains"],
            "planned_date": ["gte", "lte"],
            "baseline_date": ["gte", "lte", "isnull"],
            "actual_date": ["gte", "lte", "isnull"],
            "order": ["exact"],
            "source": ["icontains"],
        }

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        late = {"actual_date__isnull": True, "planned_date__lt": timezone.localdate()}
        if value is None:
            return queryset
        return queryset.filter(**late) if value else queryset.exclude(**late)


class BlockerFilterSet(ProjectChildFilterSet):
    kind = django_filters.MultipleChoiceFilter(
        label=_("kind of blocker"), choices=Blocker.Kind.choices
    )
    state = django_filters.MultipleChoiceFilter(
        label=_("state"), field_name="case__state", choices=list(STATES.items())
    )
    is_open = django_filters.BooleanFilter(label=_("open"), field_name="case__is_open")
    escalation = EscalationFilter(
        label=_("escalation"), field_name="case__escalation", choices=LoopCase.Escalation.choices
    )
    case = django_filters.NumberFilter(label=_("closed-loop case"), field_name="case")

    class Meta:
        model = Blocker
        fields = {"description": ["icontains"], "source": ["icontains"]}


class ProgressNoteFilterSet(ProjectChildFilterSet):
    class Meta:
        model = ProgressNote
        fields = {
            "date": ["gte", "lte"],
            "text": ["icontains"],
            "author": ["exact"],
            "source": ["icontains"],
        }


class ProgressPhotoFilterSet(ScopedFilterSet):
    note = django_filters.NumberFilter(label=_("progress note"), field_name="note")

    class Meta:
        model = ProgressPhoto
        fields = {"content_type": ["exact"], "size": ["gte", "lte"], "source": ["icontains"]}
