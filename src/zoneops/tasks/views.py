from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.files.imports import ModelImporter
from zoneops.core.loop import workflows as loop
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column
from zoneops.core.ui.transitions import TransitionDetailView
from zoneops.tasks import selectors, services
from zoneops.tasks.filters import (
    LIGHTS,
    CampaignFilterSet,
    GoalFilterSet,
    MilestoneFilterSet,
    ProgressUpdateFilterSet,
    TaskFilterSet,
)
from zoneops.tasks.forms import (
    CampaignForm,
    GoalForm,
    MilestoneForm,
    ProgressUpdateForm,
    TaskForm,
    TaskTransitionForm,
)
from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task
from zoneops.tasks.workflow import KIND

LIGHT_LABELS = dict(LIGHTS)


def _links():
    return [
        (_("Tasks"), reverse("tasks:task_list")),
        (_("Campaigns"), reverse("tasks:campaign_list")),
        (_("Goals"), reverse("tasks:goal_list")),
        (_("Milestones"), reverse("tasks:milestone_list")),
        (_("Progress updates"), reverse("tasks:progressupdate_list")),
    ]


class LinkedListView(generic.ObjectListView):
    template_name = "tasks/list.html"

    def extra_context(self):
        return {"list_links": _links()}


class PrefilledEditView(generic.ObjectEditView):
    """An add page that takes initial values from the query string (?task=3)."""

    prefill: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        initial = {name: request.GET[name] for name in self.prefill if name in request.GET}
        form = self.form_class(instance=instance, user=request.user, initial=initial)
        return self.render_form(form, instance)


# Campaigns -----------------------------------------------------------------------------------


def _countdown(campaign):
    return campaign.days_left(timezone.localdate())


def _campaign_state(campaign):
    return dict(selectors.CAMPAIGN_STATES)[selectors.campaign_state(campaign, timezone.localdate())]


def _share_done(campaign):
    return selectors.share(campaign.tasks_done, campaign.tasks_total)


class CampaignListView(LinkedListView):
    model = Campaign
    queryset = Campaign.objects.select_related("zone").annotate(
        tasks_total=Count("tasks", distinct=True),
        tasks_done=Count("tasks", filter=Q(tasks__case__is_open=False), distinct=True),
    )
    filterset_class = CampaignFilterSet
    search_fields = ("name", "description", "zone__name")
    default_ordering = ("-starts_on", "name")
    columns = [
        Column("name", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("kind"),
        Column("starts_on"),
        Column("ends_on"),
        Column("ends_on", gettext_lazy("Days left"), sortable=False, accessor=_countdown),
        Column("starts_on", gettext_lazy("State"), sortable=False, accessor=_campaign_state),
        Column("tasks_total", gettext_lazy("Tasks"), order_by="tasks_total"),
        Column("tasks_done", gettext_lazy("Share done (%)"), sortable=False, accessor=_share_done),
    ]


class CampaignDetailView(generic.ObjectDetailView):
    model = Campaign
    queryset = Campaign.objects.select_related("zone")
    template_name = "tasks/campaign_detail.html"

    def extra_context(self, obj):
        workflow = loop.get_workflow(KIND)
        return {
            "summary": selectors.campaign_summary(obj, today=timezone.localdate()),
            "light_labels": LIGHT_LABELS,
            "tasks": [
                (task, workflow.states.get(task.case.state, task.case.state))
                for task in obj.tasks.select_related("case", "lead_unit").order_by(
                    "case__due_date", "id"
                )
            ],
        }


class CampaignEditView(generic.ObjectEditView):
    model = Campaign
    form_class = CampaignForm


class CampaignDeleteView(generic.ObjectDeleteView):
    model = Campaign


# Goals ---------------------------------------------------------------------------------------


class GoalListView(LinkedListView):
    model = Goal
    queryset = Goal.objects.select_related("campaign", "indicator")
    filterset_class = GoalFilterSet
    search_fields = ("name", "campaign__name")
    default_ordering = ("campaign", "sort_order", "id")
    columns = [
        Column("name", linkify=True),
        Column("campaign__name", gettext_lazy("Campaign")),
        Column("measure"),
        Column("indicator__name", gettext_lazy("Indicator")),
        Column("target_value"),
        Column("achieved"),
        Column("unit", sortable=False),
    ]


class GoalDetailView(generic.ObjectDetailView):
    model = Goal
    queryset = Goal.objects.select_related("campaign__zone", "indicator")
    template_name = "tasks/goal_detail.html"

    def extra_context(self, obj):
        return {
            "progress": selectors.goal_progress(obj, timezone.localdate()),
            "tasks": obj.tasks.select_related("case"),
        }


class GoalEditView(PrefilledEditView):
    model = Goal
    form_class = GoalForm
    prefill = ("campaign",)


class GoalDeleteView(generic.ObjectDeleteView):
    model = Goal


# Tasks ---------------------------------------------------------------------------------------


def _state(task):
    return loop.get_workflow(KIND).states.get(task.case.state, task.case.state)


class TaskListView(LinkedListView):
    model = Task
    queryset = Task.objects.select_related("zone", "campaign", "lead_unit", "case")
    filterset_class = TaskFilterSet
    search_fields = ("title", "description", "meeting", "lead_unit__name")
    default_ordering = ("case__due_date", "id")
    columns = [
        Column("title", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("campaign__name", gettext_lazy("Campaign")),
        Column("lead_unit__name", gettext_lazy("Lead unit")),
        Column("deadline"),
        Column("case__due_date", gettext_lazy("Due date (after extensions)"), deadline=True),
        Column("case__state", gettext_lazy("State"), accessor=_state),
        Column(
            "case__escalation",
            gettext_lazy("Light"),
            accessor=lambda t: LIGHT_LABELS[t.light],
        ),
        Column("progress"),
    ]


class TaskDetailView(TransitionDetailView):
    model = Task
    queryset = Task.objects.select_related(
        "zone",
        "campaign",
        "goal",
        "case",
        "lead_unit",
        "responsible_unit",
        "supervising_unit",
        "responsible_leader",
    )
    template_name = "tasks/task_detail.html"
    fields = (
        "title",
        "zone",
        "campaign",
        "goal",
        "description",
        "lead_unit",
        "responsible_unit",
        "supervising_unit",
        "responsible_leader",
        "deadline",
        "progress",
        "origin",
        "meeting",
        "decided_on",
        "requested_extension_days",
        "source",
        "created_at",
    )

    def extra_context(self, obj):
        workflow = loop.get_workflow(KIND)
        can_change = Task.objects.restrict(self.request.user, "change").filter(pk=obj.pk).exists()
        return {
            "case": obj.case,
            "state_label": workflow.states.get(obj.case.state, obj.case.state),
            "light_label": LIGHT_LABELS[obj.light],
            "transitions": workflow.available(obj.case.state),
            "transition_form": self.transition_form(obj),
            "events": obj.case.events.select_related("actor"),
            "milestones": obj.milestones.all(),
            "updates": obj.updates.select_related("reported_by"),
            "add_milestone_url": f"{reverse('tasks:milestone_add')}?task={obj.pk}"
            if can_change
            else None,
            "add_update_url": f"{reverse('tasks:progressupdate_add')}?task={obj.pk}"
            if can_change and obj.case.is_open
            else None,
        }

    def transition_form(self, obj, data=None):
        return TaskTransitionForm(data)

    def transition(self, task, name, **kwargs):
        return services.transition_task(task, name, **kwargs)


class TaskEditView(PrefilledEditView):
    model = Task
    form_class = TaskForm
    prefill = ("campaign", "goal", "zone")


class TaskDeleteView(generic.ObjectDeleteView):
    model = Task


class TaskImporter(ModelImporter):
    model = Task
    form_class = TaskForm
    # a task is named by its title within its campaign: a row for one that exists updates it
    key_fields = ("zone", "campaign", "title")


class TaskImportView(generic.BulkImportView):
    model = Task
    importer_class = TaskImporter


# Milestones and progress updates ---------------------------------------------------------------


class MilestoneListView(LinkedListView):
    model = Milestone
    queryset = Milestone.objects.select_related("task")
    filterset_class = MilestoneFilterSet
    search_fields = ("name", "task__title")
    default_ordering = ("due_on", "id")
    columns = [
        Column("task__title", gettext_lazy("Task")),
        Column("name", linkify=True),
        Column("due_on"),
        Column("done_on"),
    ]


class MilestoneDetailView(generic.ObjectDetailView):
    model = Milestone
    queryset = Milestone.objects.select_related("task")


class MilestoneEditView(PrefilledEditView):
    model = Milestone
    form_class = MilestoneForm
    prefill = ("task",)


class MilestoneDeleteView(generic.ObjectDeleteView):
    model = Milestone


class ProgressUpdateListView(LinkedListView):
    model = ProgressUpdate
    queryset = ProgressUpdate.objects.select_related("task", "reported_by")
    filterset_class = ProgressUpdateFilterSet
    search_fields = ("task__title", "text", "problems", "cycle")
    default_ordering = ("-reported_on", "-id")
    columns = [
        Column("task__title", gettext_lazy("Task")),
        Column("cycle", linkify=True),
        Column("reported_on"),
        Column("progress"),
        Column("text", sortable=False),
        Column("problems", sortable=False),
        Column("reported_by", order_by="reported_by__username"),
    ]


class ProgressUpdateDetailView(generic.ObjectDetailView):
    model = ProgressUpdate
    queryset = ProgressUpdate.objects.select_related("task", "reported_by")


class ProgressUpdateEditView(PrefilledEditView):
    model = ProgressUpdate
    form_class = ProgressUpdateForm
    prefill = ("task", "cycle")


class ProgressUpdateDeleteView(generic.ObjectDeleteView):
    model = ProgressUpdate
