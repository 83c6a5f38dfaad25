import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, User
from zoneops.core.ui.forms import (
    PhotosField,
    ScopedModelForm,
    client_token_field,
    keep_location_field,
    label_departments,
)
from zoneops.core.ui.widgets import DATE, style_fields
from zoneops.enterprises.models import Enterprise
from zoneops.hazards import services
from zoneops.hazards.models import Hazard, HazardPhoto, InspectionRound

# <input type="date"> only takes ISO dates: the localised "2025/06/15" would leave it empty.


class EnterpriseByUsccField(forms.CharField):
    """An enterprise typed as its USCC (the registry is too large for a drop-down)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)


class HazardForm(ScopedModelForm):
    enterprise_uscc = EnterpriseByUsccField(
        label=_("enterprise (unified social credit code)"),
        help_text=_("Leave empty for a public place, and describe the place."),
    )

    class Meta:
        model = Hazard
        fields = [
            "zone",
            "title",
            "category",
            "level",
            "place",
            "description",
            "remedy",
            "found_on",
            "deadline",
            "inspection",
            "source",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "remedy": forms.Textarea(attrs={"rows": 2}),
            "found_on": DATE,
            "deadline": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
        self.fields["zone"].required = False
        self.fields["found_on"].initial = timezone.localdate()
        self.fields["deadline"].required = False
        recent = timezone.localdate() - dt.timedelta(days=180)
        self.fields["inspection"].queryset = self.fields["inspection"].queryset.filter(
            planned_on__gte=recent
        )
        if self.instance.pk:
            for name in ("zone", "enterprise_uscc", "level", "found_on", "deadline"):
                del self.fields[name]
        elif self.instance.enterprise_id:
            self.fields["enterprise_uscc"].initial = self.instance.enterprise.uscc

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            return data
        code = (data.get("enterprise_uscc") or "").strip().upper()
        data["enterprise"] = None
        if code:
            data["enterprise"] = (
                Enterprise.objects.restrict(self.user, "view").filter(uscc=code).first()
            )
            if data["enterprise"] is None:
                self.add_error("enterprise_uscc", _("No enterprise you can see has this code."))
        if data["enterprise"] is None and not data.get("zone"):
            self.add_error("zone", _("Choose the zone (or give the enterprise)."))
        if data["enterprise"] is None and not (data.get("place") or "").strip() and code == "":
            self.add_error("place", _("Say which enterprise or place the hazard is at."))
        return data

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit)
        data = self.cleaned_data
        return services.report_hazard(
            zone=data.get("zone") or data["enterprise"].zone,
            enterprise=data["enterprise"],
            place=data.get("place") or "",
            title=data["title"],
            category=data["category"],
            level=data["level"],
            description=data["description"],
            remedy=data.get("remedy") or "",
            found_on=data.get("found_on"),
            deadline=data.get("deadline"),
            inspection=data.get("inspection"),
            acting_user=self.user,
            source=data.get("source") or "",
        )


class InspectionRoundForm(ScopedModelForm):
    enterprise_usccs = forms.CharField(
        label=_("enterprises (unified social credit codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One code per line, or separated by commas."),
    )

    class Meta:
        model = InspectionRound
        fields = ["zone", "title", "planned_on", "inspectors", "notes", "source"]
        widgets = {"planned_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
        self.fields["inspectors"].queryset = self.fields["inspectors"].queryset.order_by("username")
        self.fields["inspectors"].required = False
        if self.instance.pk:
            self.fields["enterprise_usccs"].initial = "\n".join(
                self.instance.enterprises.values_list("uscc", flat=True)
            )
        if self.user is not None and not self.user.is_zone_admin:
            zones = self.user.visible_zones()
            self.fields["inspectors"].queryset = (
                self.fields["inspectors"].queryset.filter(zones__in=zones).distinct()
            )

    def clean_enterprise_usccs(self):
        text = self.cleaned_data.get("enterprise_usccs") or ""
        codes = [c.strip().upper() for c in text.replace(",", "\n").split() if c.strip()]
        found = Enterprise.objects.restrict(self.user, "view").filter(uscc__in=codes)
        missing = sorted(set(codes) - set(found.values_list("uscc", flat=True)))
        if missing:
            raise forms.ValidationError(
                _("Not found among the enterprises you see: {codes}").format(
                    codes="、".join(missing)
                )
            )
        return list(found)

    def save(self, commit=True):
        inspection = super().save(commit=True)
        inspection.enterprises.set(self.cleaned_data.get("enterprise_usccs") or [])
        return inspection


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.none(), required=False
    )
    handler = forms.ModelChoiceField(label=_("owner"), queryset=User.objects.none(), required=False)
    extra_working_days = forms.IntegerField(
        label=_("extra working days"), required=False, min_value=1, max_value=60
    )

    def __init__(self, *args, hazard=None, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = [int(p) for p in hazard.zone.path.strip("/").split("/")]
        self.fields["department"].queryset = Department.objects.filter(zone_id__in=ancestors)
        label_departments(self.fields["department"])
        self.fields["handler"].queryset = loop.get_workflow(hazard.case.kind).handlers(hazard.zone)
        style_fields(self.fields)


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=HazardPhoto.Kind.choices)
    file = forms.FileField(
        label=_("file"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/*,application/pdf",
                "capture": "environment",
                "data-resize": "2000000",
            }
        ),
    )
    keep_location = keep_location_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


class RectifyForm(forms.Form):
    """Report a hazard rectified from the site: photos of the result and what was done."""

    photos = PhotosField(
        label=_("photos of the rectification"),
        required=True,
        help_text=_("Taken with the phone's camera; JPEG or PNG, at most 10 MB each."),
    )
    comment = forms.CharField(
        label=_("what was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    keep_location = keep_location_field()
    client_token = client_token_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


def current_quarter(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1
