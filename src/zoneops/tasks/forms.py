from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import ADD
from zoneops.core.loop import services as core_services
from zoneops.core.ui.forms import ScopedModelForm
from zoneops.tasks import services
from zoneops.tasks.models import Campaign, Goal, Milestone, ProgressUpdate, Task


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _zone_by_code(form):
    form.fields["zone"].to_field_name = "code"
    form.fields["zone"].help_text = _("Zone code, e.g. CCGX.")
    if form.instance.pk and form.instance.zone_id:
        form.initial["zone"] = form.instance.zone.code


def _as_validation_error(exc: PermissionDenied) -> ValidationError:
    return ValidationError(str(exc))


class CampaignForm(ScopedModelForm):
    class Meta:
        model = Campaign
        fields = ["zone", "name", "kind", "starts_on", "ends_on", "description", "source"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _zone_by_code(self)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A campaign ends on or after its first day."))
        if data.get("zone") is not None:
            try:
                services.check_zone_right(self.user, data["zone"], Campaign, ADD)
            except PermissionDenied as exc:
                raise _as_validation_error(exc) from exc
        return data


class GoalForm(ScopedModelForm):
    class Meta:
        model = Goal
        fields = [
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].to_field_name = "code"
        if self.instance.pk and self.instance.indicator_id:
            self.initial["indicator"] = self.instance.indicator.code

    def clean(self):
        data = super().clean()
        if data.get("measure") == Goal.Measure.INDICATOR and not data.get("indicator"):
            self.add_error("indicator", _("Choose the indicator this goal is measured by."))
        return data


class TaskForm(ScopedModelForm):
    """Create a task (through ``services.create_task``, which opens its loop) or edit it.

    The deadline of an existing task moves only through an extension in its loop.
    """

    class Meta:
        model = Task
        fields = [
            "zone",
            "campaign",
            "goal",
            "title",
            "description",
            "lead_unit",
            "responsible_unit",
            "supervising_unit",
            "deadline",
            "origin",
            "meeting",
            "decided_on",
            "source",
        ]
        widgets = {"deadline": DateInput(), "decided_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _zone_by_code(self)
        if self.instance.pk:
            self.fields["deadline"].disabled = True
            self.fields["deadline"].help_text = _("Change it by an extension in the task's loop.")
            self.fields["zone"].disabled = True

    def clean(self):
        data = super().clean()
        zone = data.get("zone")
        if zone is None:
            return data
        try:
            services.check_zone_right(self.user, zone, Task, ADD)
            if not self.instance.pk and data.get("deadline"):
                services.check_deadline(core_services.today(), data["deadline"])
            services.check_task_fields(
                zone=zone,
                campaign=data.get("campaign"),
                goal=data.get("goal"),
                lead_unit=data.get("lead_unit"),
                responsible_unit=data.get("responsible_unit"),
                supervising_unit=data.get("supervising_unit"),
            )
        except PermissionDenied as exc:
            raise _as_validation_error(exc) from exc
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        if self.instance.pk:
            task = Task.objects.select_related("case", "zone").get(pk=self.instance.pk)
            return services.update_task(
                task,
                acting_user=self.user,
                **{name: data[name] for name in services.EDITABLE_FIELDS if name in data},
            )
        self.instance = services.create_task(
            zone=data["zone"],
            title=data["title"],
            deadline=data["deadline"],
            acting_user=self.user,
            campaign=data.get("campaign"),
            goal=data.get("goal"),
            description=data.get("description", ""),
            lead_unit=data.get("lead_unit"),
            responsible_unit=data.get("responsible_unit"),
            supervising_unit=data.get("supervising_unit"),
            origin=data.get("origin") or Task.Origin.CAMPAIGN,
            meeting=data.get("meeting", ""),
            decided_on=data.get("decided_on"),
            source=data.get("source", ""),
        )
        return self.instance


class MilestoneForm(ScopedModelForm):
    class Meta:
        model = Milestone
        fields = ["task", "name", "due_on", "done_on", "sort_order", "source"]
        widgets = {"due_on": DateInput(), "done_on": DateInput()}


class ProgressUpdateForm(ScopedModelForm):
    """Report a dispatch cycle's progress through ``services.report_progress``."""

    class Meta:
        model = ProgressUpdate
        fields = ["task", "cycle", "reported_on", "progress", "text", "problems", "source"]
        widgets = {"reported_on": DateInput()}

    def clean(self):
        data = super().clean()
        task, cycle = data.get("task"), data.get("cycle")
        if not self.instance.pk and task and cycle:
            existing = ProgressUpdate.objects.filter(task=task, cycle=cycle.strip()).first()
            if existing is not None:
                self.instance = existing  # a second report for the cycle corrects the first
        if task is not None and not task.case.is_open and not self.instance.pk:
            raise ValidationError(_("The task is closed; reopen it to report progress."))
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance = services.report_progress(
            data["task"],
            acting_user=self.user,
            cycle=data["cycle"],
            progress=data["progress"],
            text=data["text"],
            problems=data.get("problems", ""),
            reported_on=data.get("reported_on"),
            source=data.get("source", ""),
            instance=self.instance if self.instance.pk else None,
        )
        return self.instance


class TaskTransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    extra_working_days = forms.IntegerField(
        label=_("working days"), required=False, min_value=1, max_value=120
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from zoneops.core.ui.widgets import style_fields

        style_fields(self.fields)
