from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Department, Zone
from zoneops.core.ui.widgets import style_fields


def default_period() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


class PeriodForm(forms.Form):
    """A zone the user may see, and a month."""

    zone = forms.ModelChoiceField(label=_("zone"), queryset=Zone.objects.none(), required=False)
    period = forms.CharField(
        label=_("period"),
        required=False,
        help_text=_("Year and month, e.g. 2025-09."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    all_zones_label = _("All my zones")  # the choice of no zone; None: a zone is required

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["zone"]
        field.queryset = user.visible_zones().order_by("path")  # what a choice is checked against
        # The options as (id, name) pairs from one query: a province's 110 zones as model
        # instances cost a dashboard far more.
        empty = [("", self.all_zones_label)] if self.all_zones_label else []
        field.choices = [*empty, *field.queryset.values_list("pk", "name")]
        field.required = not self.all_zones_label
        style_fields(self.fields)

    def clean_period(self) -> tuple[int, int]:
        value = (self.cleaned_data.get("period") or "").strip()
        if not value:
            return default_period()
        try:
            year, month = (int(part) for part in value.split("-"))
        except ValueError:
            raise forms.ValidationError(_("Write the period as YYYY-MM, e.g. 2025-09.")) from None
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(_("Write the period as YYYY-MM, e.g. 2025-09."))
        return year, month


class PackForm(PeriodForm):
    all_zones_label = None


class DecisionForm(forms.Form):
    """A decision taken in the dispatch meeting, to become a task of the pack's zone."""

    decision = forms.CharField(
        label=_("decision"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    lead_unit = forms.ModelChoiceField(
        label=_("lead unit"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = [int(part) for part in zone.path.strip("/").split("/")] if zone else []
        self.fields["lead_unit"].queryset = Department.objects.filter(zone_id__in=ancestors)
        style_fields(self.fields)
