from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.ui.forms import (
    LocatedFormMixin,
    PhotosField,
    ScopedModelForm,
    keep_location_field,
    people_in_reach,
)
from zoneops.core.ui.widgets import DATE, style_fields
from zoneops.projects import services
from zoneops.projects.models import (
    AUTOMATIC_TAGS,
    Blocker,
    Milestone,
    ProgressNote,
    Project,
    Tag,
    tags_from_text,
    tags_to_text,
)


class ProjectForm(LocatedFormMixin, ScopedModelForm):
    tag_choices = forms.MultipleChoiceField(
        label=_("tags"),
        required=False,
        choices=[(v, label) for v, label in Tag.choices if v not in AUTOMATIC_TAGS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("≥50 million and ≥1 billion yuan are set from the total investment."),
    )

    class Meta:
        model = Project
        fields = [
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
            "planned_start",
            "actual_start",
            "planned_production",
            "actual_production",
            "planned_completion",
            "actual_completion",
            "leader_name",
            "leader",
            "special_team",
            "responsible_unit",
            "longitude",
            "latitude",
            "source",
        ]
        widgets = {
            name: DATE
            for name in (
                "planned_start",
                "actual_start",
                "planned_production",
                "actual_production",
                "planned_completion",
                "actual_completion",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = people_in_reach(self.user)
        # A zone may hold thousands of enterprises: the owner is named by its USCC.
        enterprise = self.fields["enterprise"]
        enterprise.to_field_name = "uscc"
        enterprise.widget = forms.TextInput(attrs={"class": "form-control form-control-sm"})
        enterprise.help_text = _("Unified social credit code of the owner enterprise, if known.")
        if self.instance.pk and self.instance.enterprise_id:
            self.initial["enterprise"] = self.instance.enterprise.uscc
        if self.instance.pk:
            self.fields["tag_choices"].initial = tags_from_text(self.instance.tags)
        else:
            self.fields["plan_year"].initial = timezone.localdate().year
        self.fields["tag_choices"].widget.attrs["class"] = "list-unstyled"

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("actual_start", "actual_production", "actual_completion"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("An actual date cannot be in the future."))
        start = data.get("planned_start")
        for name in ("planned_production", "planned_completion"):
            if start and data.get(name) and data[name] < start:
                self.add_error(name, _("This date is before the planned start."))
        total, plan = data.get("total_investment"), data.get("annual_plan")
        if total is not None and plan is not None and plan > total:
            self.add_error("annual_plan", _("The annual plan is larger than the total investment."))
        if data.get("actual_start") and data.get("stage") in ("planned", "preparing"):
            self.add_error("stage", _("The project has an actual start date: it has started."))
        return data

    def save(self, commit=True):
        project = super().save(commit=False)
        project.tags = tags_to_text(self.cleaned_data.get("tag_choices") or [])
        project = services.save_project(project, acting_user=self.user)
        self._save_m2m()
        return project


class ProjectChildForm(ScopedModelForm):
    """A form for a record that belongs to a project the user may change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        if user is not None and "project" in self.fields:
            self.fields["project"].queryset = (
                Project.objects.restrict(user, "change").select_related("zone").order_by("code")
            )
            self.fields["project"].to_field_name = "code"


class MilestoneForm(ProjectChildForm):
    class Meta:
        model = Milestone
        fields = ["project", "name", "planned_date", "actual_date", "order", "source"]
        widgets = {"planned_date": DATE, "actual_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False

    def clean_order(self):
        return self.cleaned_data.get("order") or 0

    def clean_actual_date(self):
        value = self.cleaned_data.get("actual_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("An actual date cannot be in the future."))
        return value


class BlockerForm(ProjectChildForm):
    limit_working_days = forms.IntegerField(
        label=_("time limit (working days)"), min_value=1, max_value=120, initial=10
    )

    class Meta:
        model = Blocker
        fields = ["project", "kind", "description", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields({"limit_working_days": self.fields["limit_working_days"]})
        if self.instance.pk:
            # The project and deadline are fixed once the case is open.
            del self.fields["project"]
            del self.fields["limit_working_days"]

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit)
        data = self.cleaned_data
        return services.raise_blocker(
            data["project"],
            kind=data["kind"],
            description=data["description"],
            acting_user=self.user,
            limit_working_days=data["limit_working_days"],
            source=data.get("source", ""),
        )


class ProgressNoteForm(ProjectChildForm):
    photos = PhotosField(
        label=_("photos"),
        help_text=_("Taken with the phone's camera; JPEG or PNG, at most 10 MB each."),
    )
    keep_location = keep_location_field()

    class Meta:
        model = ProgressNote
        fields = ["project", "date", "text", "source"]
        widgets = {"date": DATE, "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        style_fields({"photos": self.fields["photos"]})

    def clean(self):
        data = super().clean()
        keep = data.get("keep_location", False)
        checked = []
        for photo in data.get("photos") or []:
            try:
                checked.append(services.check_photo(photo, keep_location=keep))
            except ValidationError as exc:
                self.add_error("photos", exc)
        data["photos"] = checked
        return data

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value and value > timezone.localdate():
            raise ValidationError(_("A progress note cannot be dated in the future."))
        return value

    def save(self, commit=True):
        data = self.cleaned_data
        if self.instance.pk:
            note = super().save(commit)
            for photo in data.get("photos") or []:
                services.add_photo(note, photo)
            return note
        note = services.add_progress_note(
            data["project"],
            text=data["text"],
            date=data["date"],
            photos=data.get("photos") or [],
            acting_user=self.user,
        )
        if data.get("source"):
            note.source = data["source"]
            note.save(update_fields=["source", "updated_at"])
        return note


class MonthlyForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)
    completed_ytd = forms.DecimalField(
        label=_("completed this year (10k yuan)"), min_value=0, max_digits=16, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)
