from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import ADMINISTRATOR_ROLES, Role, User, Zone
from zoneops.core.ui.forms import (
    LocatedFormMixin,
    PhotosField,
    ScopedModelForm,
    client_token_field,
)
from zoneops.core.ui.widgets import DATE
from zoneops.enterprises import services
from zoneops.enterprises.industries import clean_code
from zoneops.enterprises.models import (
    Certification,
    Contact,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    IndustrialChain,
    Industry,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    SupportMeasure,
    Visit,
)


def zone_by_code(form: ScopedModelForm, field: str = "zone") -> None:
    """Zones are chosen (and imported) by their code; only zones the user may change."""
    if field in form.fields:
        form.fields[field].to_field_name = "code"
        user = form.user
        if user is not None:
            form.fields[field].queryset = Zone.objects.restrict(user, "view")


# Who may be named for the work with enterprises (包保, 走访, measures): every role but the three
# administrators, leaders too (领导包保, 领导走访).
LIAISON_ROLES = frozenset({Role.STAFF, Role.LIAISON, Role.LEADER})


def record_zone(form: ScopedModelForm) -> Zone | None:
    """The zone of the enterprise the edited record belongs to (None for a new record)."""
    instance = form.instance
    if getattr(instance, "enterprise_id", None):
        return instance.enterprise.zone
    if getattr(instance, "entry_id", None):
        return instance.entry.enterprise.zone
    return None


def users_of_zones(form: ScopedModelForm, *fields: str, roles=LIAISON_ROLES) -> None:
    """People to choose from: whom ``User.objects.restrict`` lets the user pick, in a role
    that may do the work and, for an existing record, working in its enterprise's zone."""
    user = form.user
    if user is not None:
        qs = User.objects.restrict(user, "view")
    else:
        qs = User.objects.filter(is_active=True).exclude(role__in=ADMINISTRATOR_ROLES)
    qs = qs.filter(role__in=roles)
    zone = record_zone(form)
    if zone is not None:
        qs = qs.filter(pk__in=User.objects.working_in(zone, roles).values("pk"))
    for name in fields:
        if name in form.fields:
            form.fields[name].queryset = qs.order_by("username")


class IndustryCodeField(forms.ModelChoiceField):
    """A GB/T 4754-2017 code typed as "2761" or "C2761" (or picked from the list)."""

    def to_python(self, value):
        return super().to_python(clean_code(value) if isinstance(value, str) else value)

    def label_from_instance(self, obj):
        return f"{obj.full_code} {obj.name}"


class EnterpriseForm(LocatedFormMixin, ScopedModelForm):
    industry = IndustryCodeField(
        label=_("industry"),
        queryset=Industry.objects.all(),
        to_field_name="code",
        required=False,
        help_text=_("GB/T 4754-2017 code, e.g. 2761 or C2761."),
    )

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "zone",
            "address",
            "founded_on",
            "registered_capital",
            "industry",
            "chain",
            "is_chain_leader",
            "status",
            "above_scale",
            "above_scale_since",
            "longitude",
            "latitude",
            "source",
        ]
        widgets = {"founded_on": DATE, "above_scale_since": DATE}

    above_scale_reason = forms.CharField(
        label=_("reason for changing the above-scale status"),
        max_length=300,
        required=False,
        help_text=_(
            "Needed when above scale or its date changes here; the 升规入统 process sets "
            "them from the bureau's decision."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone_by_code(self)
        self.fields["chain"].to_field_name = "name"
        self.fields["zone"].help_text = _("Zone code, e.g. CCGX.")
        self._scale_before = (self.instance.above_scale, self.instance.above_scale_since)

    def _scale_changed(self, data) -> bool:
        after = (bool(data.get("above_scale")), data.get("above_scale_since"))
        if self.instance.pk is None:
            return after != (False, None)
        return after != self._scale_before

    def save(self, commit=True):
        data = self.cleaned_data
        if not self._scale_changed(data):
            return super().save(commit=commit)
        # The rest is saved as the form says; the status goes through the service (reason,
        # typed event).
        wanted = (self.instance.above_scale, self.instance.above_scale_since)
        self.instance.above_scale, self.instance.above_scale_since = (
            self._scale_before if self.instance.pk else (False, None)
        )
        enterprise = super().save(commit=True)
        return services.set_above_scale(
            enterprise,
            wanted[0],
            since=wanted[1],
            reason=data.get("above_scale_reason", ""),
            acting_user=self.user,
        )

    def clean_uscc(self):
        return (self.cleaned_data.get("uscc") or "").strip().upper()

    def clean(self):
        data = super().clean()
        zone, chain = data.get("zone"), data.get("chain")
        if zone is not None and chain is not None and not zone.path.startswith(chain.zone.path):
            self.add_error("chain", _("This industrial chain belongs to another zone."))
        if data.get("is_chain_leader") and chain is None:
            self.add_error("is_chain_leader", _("A chain leader needs its industrial chain."))
        if self._scale_changed(data) and not (data.get("above_scale_reason") or "").strip():
            self.add_error(
                "above_scale_reason",
                _("Changing the above-scale status by hand needs a reason."),
            )
        if (
            zone is not None
            and self.user is not None
            and not Zone.objects.restrict(self.user, "view").filter(pk=zone.pk).exists()
        ):
            self.add_error("zone", _("You may not add records in this zone."))
        return data


class IndustrialChainForm(ScopedModelForm):
    class Meta:
        model = IndustrialChain
        fields = ["zone", "name", "description", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone_by_code(self)


class EnterpriseChildForm(ScopedModelForm):
    """A record that belongs to an enterprise: the enterprise is picked by its USCC."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "enterprise" in self.fields:
            self.fields["enterprise"].to_field_name = "uscc"
            self.fields["enterprise"].help_text = _("Unified social credit code or pick one.")
            # An enterprise outside the user's zones is "not found", as if it did not exist.
            self.fields["enterprise"].error_messages["invalid_choice"] = _(
                "No enterprise with this unified social credit code was found in your zones."
            )


class ContactForm(EnterpriseChildForm):
    class Meta:
        model = Contact
        fields = ["enterprise", "name", "role", "phone", "is_primary", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _(
            "Mobile (13812341234) or landline with area code (0431-88600010)."
        )
        # A person's name and job title (the model's "name"/"role" read 名称/角色 in Chinese).
        self.fields["name"].label = _("full name")
        self.fields["role"].label = _("job title")

    def clean_phone(self):
        return services.clean_phone(self.cleaned_data.get("phone", ""))


class ContactImportForm(ContactForm):
    """A row of the contacts import: the enterprise by its USCC, the other columns as the form's.

    A row updates the contact of the same name at the same enterprise (``ContactImporter``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].label = _("unified social credit code")
        self.fields["enterprise"].help_text = _(
            "Of an enterprise in your zones; finds the enterprise."
        )
        self.fields["name"].help_text = _(
            "With the enterprise, identifies the contact: a contact of the same name at the "
            "same enterprise is updated, any other row adds a contact."
        )
        self.fields["is_primary"].help_text = _("是 / 否; empty: no.")


class CertificationForm(EnterpriseChildForm):
    class Meta:
        model = Certification
        fields = [
            "enterprise",
            "kind",
            "level",
            "certificate_no",
            "issued_on",
            "expires_on",
            "evidence",
            "source",
        ]
        widgets = {"issued_on": DATE, "expires_on": DATE}

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("A certificate cannot expire before it is issued."))
        return data


class LiaisonAssignmentForm(EnterpriseChildForm):
    class Meta:
        model = LiaisonAssignment
        fields = ["enterprise", "user", "is_lead", "since", "source"]
        widgets = {"since": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users_of_zones(self, "user")
        self.fields["user"].to_field_name = "username"

    def clean(self):
        data = super().clean()
        enterprise, user = data.get("enterprise"), data.get("user")
        if enterprise and user and not user.visible_zones().filter(pk=enterprise.zone_id).exists():
            self.add_error("user", _("This person is not granted the enterprise's zone."))
        return data


class VisitForm(EnterpriseChildForm):
    photos = PhotosField(
        label=_("photos"),
        help_text=_("Taken with the phone's camera; JPEG or PNG, at most 10 MB each."),
    )
    client_token = client_token_field()

    class Meta:
        model = Visit
        fields = ["enterprise", "visited_on", "cadre", "people_met", "findings", "appeals_raised"]
        widgets = {
            "visited_on": DATE,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "appeals_raised": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users_of_zones(self, "cadre")
        self.fields["cadre"].to_field_name = "username"
        self.fields["cadre"].required = False
        self.fields["cadre"].help_text = _("Left empty: you.")
        if self.user is not None and self.user.role == Role.LIAISON:
            self.fields["cadre"].queryset = User.objects.filter(pk=self.user.pk)

    def clean_visited_on(self):
        day = self.cleaned_data.get("visited_on")
        if day and day > services.today():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        if not data.get("cadre") and self.user is not None:
            data["cadre"] = self.user
            self.instance.cadre = self.user
        return data


class CultivationEntryForm(EnterpriseChildForm):
    class Meta:
        model = CultivationEntry
        fields = ["enterprise", "target", "target_year", "status", "entered_on", "progress"]
        widgets = {"entered_on": DATE, "progress": forms.Textarea(attrs={"rows": 4})}


class SupportMeasureForm(ScopedModelForm):
    class Meta:
        model = SupportMeasure
        fields = ["entry", "measure", "cadre", "department", "due_on", "status", "done_on"]
        widgets = {"due_on": DATE, "done_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users_of_zones(self, "cadre")
        self.fields["entry"].queryset = self.fields["entry"].queryset.select_related("enterprise")

    def clean(self):
        data = super().clean()
        if data.get("status") == SupportMeasure.Status.DONE and not data.get("done_on"):
            data["done_on"] = services.today()
            self.instance.done_on = data["done_on"]
        return data


class IdleRevivalForm(EnterpriseChildForm):
    class Meta:
        model = IdleRevival
        fields = ["enterprise", "year", "cause", "plan", "cadre", "source"]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users_of_zones(self, "cadre")


class RevivalGoalForm(ScopedModelForm):
    class Meta:
        model = RevivalGoal
        fields = ["zone", "year", "target", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone_by_code(self)


class MonthlyFigureForm(EnterpriseChildForm):
    class Meta:
        model = MonthlyFigure
        fields = [
            "enterprise",
            "year",
            "month",
            "main_revenue",
            "output_value",
            "tax_paid",
            "employees",
            "rd_expense",
            "energy_use",
        ]

    def clean(self):
        data = super().clean()
        enterprise, year, month = data.get("enterprise"), data.get("year"), data.get("month")
        if enterprise and year and month:
            try:
                services.ensure_unlocked(enterprise, year, month)
                if self.instance.pk:
                    old = MonthlyFigure.objects.select_related("enterprise__zone").get(
                        pk=self.instance.pk
                    )
                    services.ensure_unlocked(old.enterprise, old.year, old.month)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


class MonthApprovalForm(ScopedModelForm):
    """Approving a month: the form creates the approval through ``services.approve_month``."""

    class Meta:
        model = MonthApproval
        fields = ["zone", "year", "month"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone_by_code(self)

    def validate_unique(self):
        pass  # approve_month re-approves a reopened month instead of refusing it

    def save(self, commit=True):
        data = self.cleaned_data
        return services.approve_month(
            data["zone"], data["year"], data["month"], acting_user=self.user
        )

    def clean(self):
        data = super().clean()
        zone, year, month = data.get("zone"), data.get("year"), data.get("month")
        if zone and year and month:
            if MonthApproval.objects.filter(
                zone=zone, year=year, month=month, approved=True
            ).exists():
                raise forms.ValidationError(_("This month is already approved."))
            if self.user is not None and not self.user.visible_zones().filter(pk=zone.pk).exists():
                self.add_error("zone", _("You may not add records in this zone."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("reason for reopening"), max_length=300)


class ProgressNoteForm(forms.Form):
    text = forms.CharField(
        label=_("progress note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RevivalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=IdleRevival.Status.choices)
