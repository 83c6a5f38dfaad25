from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.ui.forms import ScopedModelForm, people_in_reach
from zoneops.core.ui.widgets import DATE, style_fields
from zoneops.investment import services
from zoneops.investment.models import (
    AnnualTarget,
    Event,
    FollowUp,
    FundsInPlace,
    Lead,
    Signing,
)
from zoneops.investment.regions import valid_code


class LeadForm(ScopedModelForm):
    class Meta:
        model = Lead
        fields = [
            "name",
            "zone",
            "investor_company",
            "contact_name",
            "contact_phone",
            "source_division",
            "industry",
            "chain",
            "method",
            "intended_investment",
            "responsible",
            "received_on",
            "source",
        ]
        widgets = {"received_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        self.fields["responsible"].queryset = people_in_reach(user)
        # A masked phone is never shown in a form that would save it back.
        if (
            self.instance.pk
            and user is not None
            and not user.is_superuser
            and user.role not in Lead.phone_roles
        ):
            del self.fields["contact_phone"]

    def clean_source_division(self):
        code = self.cleaned_data.get("source_division", "").strip()
        if code and not valid_code(code):
            raise ValidationError(
                _(
                    "Use a six-digit GB/T 2260 code (e.g. 440300 for Shenzhen), "
                    "or 000000 for abroad."
                )
            )
        return code

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "").strip().replace(" ", "").replace("-", "")
        if phone and not phone.lstrip("+").isdigit():
            raise ValidationError(_("A phone number has digits only."))
        return phone

    def clean_received_on(self):
        value = self.cleaned_data.get("received_on")
        if value and value > timezone.localdate():
            raise ValidationError(_("A lead cannot be received in the future."))
        return value

    def save(self, commit=True):
        lead = super().save(commit=False)
        return services.save_lead(lead, acting_user=self.user)


class LeadChildForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None and "lead" in self.fields:
            self.fields["lead"].queryset = Lead.objects.restrict(self.user, "change").order_by(
                "name"
            )


class SigningForm(LeadChildForm):
    class Meta:
        model = Signing
        fields = ["lead", "event", "signed_on", "amount", "is_capital_increase", "source"]
        widgets = {"signed_on": DATE}

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        # The counting rules are checked by the service inside a transaction that is undone.
        from django.db import transaction

        try:
            with transaction.atomic():
                services.record_signing(
                    data["lead"],
                    signed_on=data["signed_on"],
                    amount=data["amount"],
                    event=data.get("event"),
                    is_capital_increase=data.get("is_capital_increase", False),
                    acting_user=self.user,
                    instance=Signing.objects.get(pk=self.instance.pk) if self.instance.pk else None,
                )
                transaction.set_rollback(True)
        except ValidationError as exc:
            self.add_error(None, exc)

    def save(self, commit=True):
        data = self.cleaned_data
        return services.record_signing(
            data["lead"],
            signed_on=data["signed_on"],
            amount=data["amount"],
            event=data.get("event"),
            is_capital_increase=data.get("is_capital_increase", False),
            acting_user=self.user,
            source=data.get("source", ""),
            instance=self.instance if self.instance.pk else None,
        )


class FundsForm(LeadChildForm):
    class Meta:
        model = FundsInPlace
        fields = ["lead", "year", "month", "amount", "source"]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        if not 1 <= data["month"] <= 12:
            self.add_error("month", _("The month must be between 1 and 12."))
        elif (data["year"], data["month"]) > (
            timezone.localdate().year,
            timezone.localdate().month,
        ):
            self.add_error("month", _("Funds cannot be in place in a future month."))
        elif not data["lead"].signings.exists():
            self.add_error("lead", _("Funds arrive for signed projects: record the signing first."))

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit)
        data = self.cleaned_data
        return services.record_funds(
            data["lead"],
            year=data["year"],
            month=data["month"],
            amount=data["amount"],
            source=data.get("source", ""),
            acting_user=self.user,
        )


class EventForm(ScopedModelForm):
    class Meta:
        model = Event
        fields = ["name", "zone", "kind", "date", "location", "source"]
        widgets = {"date": DATE}


class AnnualTargetForm(ScopedModelForm):
    class Meta:
        model = AnnualTarget
        fields = [
            "zone",
            "year",
            "signed_landed",
            "funds_in_place",
            "big_projects_started",
            "source",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("lead stage"), choices=Lead.Stage.choices)
    on = forms.DateField(label=_("date"), required=False, widget=DATE)
    comment = forms.CharField(label=_("comment or reason"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["date", "kind", "text"]
        widgets = {"date": DATE, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


class LandForm(forms.Form):
    code = forms.CharField(label=_("project code"), max_length=40)
    uscc = forms.CharField(
        label=_("unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("Give it to create or link the enterprise now; otherwise link it later."),
    )
    on = forms.DateField(label=_("landed on"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)
