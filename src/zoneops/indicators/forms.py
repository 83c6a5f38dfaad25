from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import ADD
from zoneops.core.ui.forms import ScopedModelForm
from zoneops.indicators import services
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target


class IndicatorForm(ScopedModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "kind",
            "direction",
            "origin",
            "sort_order",
            "is_active",
            "description",
            "source",
        ]


def _codes(form, *names):
    """Zones and indicators are chosen (and imported) by their codes."""
    for name in names:
        form.fields[name].to_field_name = "code"
        if form.instance.pk and getattr(form.instance, f"{name}_id", None):
            form.initial[name] = getattr(form.instance, name).code


class IndicatorValueForm(ScopedModelForm):
    """Entry and import of one value; saving goes through ``services.save_value``."""

    class Meta:
        model = IndicatorValue
        fields = ["zone", "indicator", "year", "month", "value", "yoy", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _codes(self, "zone", "indicator")
        self.fields["zone"].help_text = _("Zone code, e.g. CCGX.")
        self.fields["indicator"].help_text = _("Indicator code, e.g. gdp.")

    def clean(self):
        data = super().clean()
        zone, year, month = data.get("zone"), data.get("year"), data.get("month")
        indicator = data.get("indicator")
        if not self.instance.pk and zone and indicator and year and month:
            # A value for a period that already has one replaces it (import and entry alike).
            existing = IndicatorValue.objects.filter(
                zone=zone, indicator=indicator, year=year, month=month
            ).first()
            if existing is not None:
                self.instance = existing
        if data.get("value") is None and data.get("yoy") is None and not self.errors:
            raise ValidationError(_("Give a value, a growth rate or both."))
        if zone and year and month:
            try:
                services.check_zone_right(self.user, zone, IndicatorValue, ADD)
                services.check_unlocked(zone, year, month)
                if self.instance.pk:
                    services.check_unlocked(
                        self.instance.zone, self.instance.year, self.instance.month
                    )
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        yoy = data.get("yoy")
        if self.instance.pk and not self.instance.yoy_reported and "yoy" not in self.changed_data:
            # The form shows the computed growth: sent back untouched, it stays computed.
            yoy = None
        self.instance = services.save_value(
            zone=data["zone"],
            indicator=data["indicator"],
            year=data["year"],
            month=data["month"],
            value=data.get("value"),
            yoy=yoy,
            source=data.get("source", ""),
            acting_user=self.user,
            instance=self.instance if self.instance.pk else None,
        )
        return self.instance


class TargetForm(ScopedModelForm):
    class Meta:
        model = Target
        fields = ["zone", "indicator", "year", "department", "value", "growth", "note", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _codes(self, "zone", "indicator")
        self.fields["department"].queryset = self.fields["department"].queryset.select_related(
            "zone"
        )

    def clean(self):
        data = super().clean()
        if data.get("value") is None and data.get("growth") is None:
            raise ValidationError(_("Give a target value, a target growth or both."))
        zone, department = data.get("zone"), data.get("department")
        if zone and department and department.zone_id != zone.pk:
            self.add_error("department", _("The department belongs to another zone."))
        if zone is not None and self.user is not None:
            try:
                services.check_zone_right(self.user, zone, Target, ADD)
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
        return data


class MonthApproveForm(ScopedModelForm):
    """Approve (and lock) a zone's month; saving goes through ``services.approve_month``."""

    class Meta:
        model = MonthClose
        fields = ["zone", "year", "month"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _codes(self, "zone")

    def clean(self):
        data = super().clean()
        zone, year, month = data.get("zone"), data.get("year"), data.get("month")
        if zone and year and month:
            # Approving a reopened month locks the existing record again.
            existing = MonthClose.objects.filter(zone=zone, year=year, month=month).first()
            if existing is not None:
                self.instance = existing
            try:
                services.check_can_approve(zone, year, month, acting_user=self.user)
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance = services.approve_month(
            zone=data["zone"], year=data["year"], month=data["month"], acting_user=self.user
        )
        return self.instance


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for reopening"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(forms.Form):
    zone = forms.ModelChoiceField(label=_("zone"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zoneops.core.models import Zone
        from zoneops.core.ui.widgets import style_fields

        self.fields["zone"].queryset = Zone.objects.restrict(user, "view")
        style_fields(self.fields)


class RankingForm(forms.Form):
    BY = [
        ("yoy", _("Growth")),
        ("completion", _("Share of target reached")),
        ("ytd", _("Year to date")),
    ]
    parent = forms.ModelChoiceField(label=_("zones below"), queryset=None)
    indicator = forms.ModelChoiceField(
        label=_("indicator"),
        queryset=Indicator.objects.filter(is_active=True),
        to_field_name="code",
    )
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)
    by = forms.ChoiceField(label=_("ranked by"), choices=BY, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zoneops.core.models import Zone
        from zoneops.core.ui.widgets import style_fields

        self.fields["parent"].queryset = Zone.objects.restrict(user, "view")
        style_fields(self.fields)
