import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.loop import workflows as loop
from zoneops.core.models import LoopCase, Zone
from zoneops.core.ui.filters import ScopedFilterSet
from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task
from zoneops.tasks.workflow import STATES

LIGHTS = [
    ("green", _("On time")),
    ("yellow", _("Due within 3 working days")),
    ("red", _("Overdue")),
    ("done", _("Closed")),
]


class CampaignFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Campaign.Kind.choices)
    active_on = django_filters.DateFilter(label=_("running on"), method="filter_active_on")

    class Meta:
        model = Campaign
        fields = {
            "zone": ["exact"],
            "kind": ["exact"],
            "name": ["icontains"],
            "starts_on": ["gte", "lte"],
            "ends_on": ["gte", "lte"],
            "description": ["icontains"],
            "source": ["icontains"],
        }

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value) if value else queryset


class GoalFilterSet(ScopedFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=_("campaign"), queryset=Campaign.objects.all()
    )
    measure = django_filters.ChoiceFilter(label=_("measured by"), choices=Goal.Measure.choices)

    class Meta:
        model = Goal
        fields = {
            "campaign": ["exact"],
            "measure": ["exact"],
            "name": ["icontains"],
            "indicator": ["exact"],
            "target_value": ["gte", "lte"],
            "unit": ["exact"],
            "achieved": ["gte", "lte"],
            "sort_order": ["exact"],
            "source": ["icontains"],
        }


class TaskFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("state"), field_name="case__state", choices=list(STATES.items())
    )
    light = django_filters.ChoiceFilter(label=_("light"), choices=LIGHTS, method="filter_light")
    origin = django_filters.ChoiceFilter(label=_("origin"), choices=Task.Origin.choices)
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    campaign = django_filters.ModelChoiceFilter(
        label=_("campaign"), queryset=Campaign.objects.all()
    )
    deadline_before = django_filters.DateFilter(
        label=_("deadline before"), field_name="deadline", lookup_expr="lte"
    )

    class Meta:
        model = Task
        fields = {
            "title": ["icontains"],
            "description": ["icontains"],
            "goal__name": ["icontains"],
            "lead_unit__name": ["icontains"],
            "responsible_unit__name": ["icontains"],
            "supervising_unit__name": ["icontains"],
            "responsible_leader__username": ["exact"],
            "deadline": ["gte"],
            "progress": ["gte", "lte"],
            "meeting": ["icontains"],
            "decided_on": ["gte", "lte"],
            "requested_extension_days": ["isnull"],
            "source": ["icontains"],
        }

    def filter_light(self, queryset, name, value):
        E = LoopCase.Escalation
        if value == "done":
            return queryset.filter(case__is_open=False)
        open_ = queryset.filter(case__is_open=True)
        if value == "red":
            return open_.filter(loop.overdue_q())
        if value == "yellow":
            return open_.filter(loop.escalation_q(E.DUE_SOON)).exclude(loop.overdue_q())
        if value == "green":
            return open_.exclude(loop.escalation_q(E.DUE_SOON))
        return queryset


class MilestoneFilterSet(ScopedFilterSet):
    done = django_filters.BooleanFilter(
        label=_("done"), field_name="done_on", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Milestone
        fields = {
            "task__title": ["icontains"],
            "name": ["icontains"],
            "due_on": ["gte", "lte"],
            "done_on": ["gte", "lte"],
            "sort_order": ["exact"],
            "source": ["icontains"],
        }


class ProgressUpdateFilterSet(ScopedFilterSet):
    class Meta:
        model = ProgressUpdate
        fields = {
            "task__title": ["icontains"],
            "cycle": ["exact"],
            "reported_on": ["gte", "lte"],
            "progress": ["gte", "lte"],
            "text": ["icontains"],
            "problems": ["icontains"],
            "reported_by__username": ["exact"],
            "source": ["icontains"],
        }
