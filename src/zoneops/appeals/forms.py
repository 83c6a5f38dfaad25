import datetime as dt

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.appeals import services
from zoneops.appeals.models import Appeal, Category, Submission
from zoneops.appeals.validators import validate_uscc
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, User
from zoneops.core.ui.forms import ScopedModelForm, client_token_field, label_departments
from zoneops.core.ui.widgets import style_fields
from zoneops.enterprises.models import Enterprise


class AppealForm(ScopedModelForm):
    """Record an appeal (staff, liaison), or edit its description."""

    uscc = forms.CharField(
        label=_("unified social credit code"),
        required=False,
        max_length=30,
        help_text=_("A registered enterprise is linked and its zone taken."),
    )
    enterprise_name = forms.CharField(
        label=_("enterprise name"),
        required=False,
        max_length=200,
        help_text=_("Only needed when the enterprise is not in the registry."),
    )
    contact_name = forms.CharField(label=_("contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20)
    link_to = forms.CharField(
        label=_("same submission as"),
        required=False,
        max_length=20,
        help_text=_("Tracking number of an earlier appeal raised together with this one."),
    )

    class Meta:
        model = Appeal
        fields = [
            "zone",
            "channel",
            "category",
            "title",
            "description",
            "tags",
            "multi_department",
            "visit",
            "source",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
        self.fields["zone"].required = False
        self.fields["zone"].help_text = _("Code of the zone; taken from the enterprise if empty.")
        recent = timezone.localdate() - dt.timedelta(days=120)
        self.fields["visit"].queryset = (
            self.fields["visit"]
            .queryset.filter(visited_on__gte=recent)
            .select_related("enterprise")
        )
        if self.instance.pk:
            for name in ("uscc", "enterprise_name", "contact_name", "contact_phone", "link_to"):
                del self.fields[name]
            for name in ("zone", "channel", "multi_department"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            return data
        enterprise = None
        code = (data.get("uscc") or "").strip()
        if code:
            try:
                code = validate_uscc(code)
            except ValidationError as exc:
                self.add_error("uscc", exc)
                return data
            enterprise = (
                Enterprise.objects.restrict(self.user, "view").filter(uscc=code).first()
                if self.user
                else None
            )
            data["uscc"] = code
        data["enterprise"] = enterprise
        if enterprise is None and not data.get("enterprise_name"):
            self.add_error(
                "enterprise_name", _("Give the enterprise's name, or a registered USCC.")
            )
        if not data.get("zone"):
            if enterprise is None:
                self.add_error("zone", _("Choose the zone the enterprise is in."))
            else:
                data["zone"] = enterprise.zone
        link = (data.get("link_to") or "").strip().upper()
        data["link_submission"] = None
        if link:
            found = Submission.objects.restrict(self.user, "view").filter(tracking_number=link)
            data["link_submission"] = found.first()
            if data["link_submission"] is None:
                self.add_error("link_to", _("No submission with this tracking number."))
        return data

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit)  # through services.update_appeal (core.registries.writes)
        data = self.cleaned_data
        try:
            return services.submit_one(data, acting_user=self.user)
        except ValidationError as exc:
            self.add_error(None, exc)
            raise


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.none(), required=False
    )
    handler = forms.ModelChoiceField(
        label=_("handler"), queryset=User.objects.none(), required=False
    )
    extra_working_days = forms.IntegerField(
        label=_("extra working days"), required=False, min_value=1, max_value=60
    )
    multi_department = forms.BooleanField(label=_("several departments involved"), required=False)

    def __init__(self, *args, appeal=None, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = [int(p) for p in appeal.zone.path.strip("/").split("/")]
        self.fields["department"].queryset = Department.objects.filter(zone_id__in=ancestors)
        label_departments(self.fields["department"])
        # Granted the appeal's zone or one above it, in a role that may do the work.
        self.fields["handler"].queryset = loop.get_workflow(appeal.case.kind).handlers(appeal.zone)
        self.fields["multi_department"].initial = appeal.multi_department
        style_fields(self.fields)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


RATING_CHOICES = [(i, str(i)) for i in range(5, 0, -1)]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("satisfaction (1–5)"), choices=RATING_CHOICES, coerce=int
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)


# The public page ------------------------------------------------------------------------------

CHALLENGE_SALT = "zoneops.appeals.public-challenge"


def make_challenge(rng) -> tuple[str, str]:
    """(question, signed token): a small sum whose answer only the server can check."""
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    nonce = services.secrets.token_hex(16)
    token = signing.TimestampSigner(salt=CHALLENGE_SALT).sign_object(
        {"n": nonce, "a": a + b}, compress=False
    )
    return f"{a} + {b}", token


def challenge_timing() -> tuple[int, int]:
    """(least seconds between showing and sending the form, most seconds)."""
    from django.conf import settings

    timing = getattr(settings, "ZONEOPS_APPEAL_CHALLENGE_SECONDS", (2, 7200))
    return int(timing[0]), int(timing[1])


class PublicAppealForm(forms.Form):
    uscc = forms.CharField(label=_("unified social credit code"), max_length=30)
    contact_name = forms.CharField(label=_("contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    answer = forms.IntegerField(label=_("answer"))
    token = forms.CharField(widget=forms.HiddenInput)
    # A honeypot: hidden from people by CSS, filled in by form-filling robots.
    website = forms.CharField(label=_("website"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_uscc(self):
        return validate_uscc(self.cleaned_data["uscc"])

    def clean_contact_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["contact_phone"] if ch.isdigit())
        if not 7 <= len(phone) <= 15:
            raise ValidationError(_("Please give a phone number we can call."))
        return phone

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError(_("The form could not be accepted."), code="honeypot")
        token = data.get("token")
        if not token:
            return data
        least, most = challenge_timing()
        signer = signing.TimestampSigner(salt=CHALLENGE_SALT)
        try:
            payload = signer.unsign_object(token, max_age=most)
        except signing.SignatureExpired:
            raise ValidationError(
                _("The form has expired; please answer the new question."), code="expired"
            ) from None
        except signing.BadSignature:
            raise ValidationError(_("The form could not be accepted."), code="bad_token") from None
        issued = signing.b62_decode(token.split(signer.sep)[-2])
        if timezone.now().timestamp() - issued < least:
            raise ValidationError(
                _("That was too fast; please check the form and send it again."), code="too_fast"
            )
        if data.get("answer") != payload["a"]:
            self.add_error("answer", _("The answer to the question is not right."))
        data["nonce"] = payload["n"]
        return data


class VisitAppealForm(forms.Form):
    """An appeal the enterprise raised on a liaison visit: the visit gives enterprise and zone."""

    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_name = forms.CharField(label=_("contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20)
    client_token = client_token_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields)
        self.fields["contact_phone"].widget.input_type = "tel"
