from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zoneops.core.files import uploads
from zoneops.core.ui.forms import ScopedModelForm
from zoneops.core.ui.widgets import style_fields
from zoneops.intake import reading, services
from zoneops.intake.models import Document, Statement


class DocumentForm(ScopedModelForm):
    """Register an article: upload a file (.txt .docx .html .pdf) or paste its text."""

    upload = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_("A .txt, .docx, .html or .pdf file; or paste the text below."),
    )

    class Meta:
        model = Document
        fields = ["zone", "title", "source", "date", "upload", "text"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
        self.fields["title"].required = False
        self.fields["source"].help_text = _("The article's URL, or the site or paper it is from.")
        if self.instance.pk:
            # Once registered, an article's text is what its statements point into.
            for name in ("upload", "text", "zone"):
                del self.fields[name]
        else:
            self.fields["text"].required = False

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            return data
        upload = data.get("upload")
        if upload is not None:
            try:
                uploads.check_upload(upload)
                content = upload.read()
                uploads.check_document(upload.name, content)
                data["text"] = reading.read_bytes(upload.name, content)
            except uploads.UploadRefused as exc:
                raise ValidationError(str(exc)) from exc
            except reading.UnsupportedFile as exc:
                raise ValidationError(
                    _("This file cannot be read: {reason}").format(reason=exc)
                ) from exc
            data["file_name"] = upload.name
        if not (data.get("text") or "").strip():
            raise ValidationError(_("Upload a file or paste the article's text."))
        return data

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        data = self.cleaned_data
        try:
            document, self.created = services.register_document(
                acting_user=self.user,
                zone=data["zone"],
                text=data["text"],
                title=data.get("title") or "",
                source=data.get("source") or "",
                date=data.get("date"),
                file_name=data.get("file_name", ""),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
            raise
        return document


class ReviewForm(forms.Form):
    """Accept, correct then accept, or reject a proposed statement."""

    ACTIONS = (
        ("accept", _("Accept")),
        ("correct", _("Correct and accept")),
        ("preview", _("Preview the correction")),
        ("reject", _("Reject")),
    )

    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    value = forms.DecimalField(label=_("value"), required=False, max_digits=20, decimal_places=4)
    unit = forms.CharField(label=_("unit"), required=False, max_length=20)
    growth_pct = forms.DecimalField(
        label=_("growth (%)"), required=False, max_digits=9, decimal_places=2
    )
    indicator = forms.CharField(label=_("indicator code"), required=False, max_length=60)
    measure = forms.CharField(label=_("what it measures"), required=False, max_length=200)
    period = forms.CharField(label=_("period"), required=False, max_length=20)
    kind = forms.ChoiceField(label=_("kind"), choices=Statement.Kind.choices)
    subject = forms.CharField(label=_("subject"), required=False, max_length=100)
    qualifier = forms.CharField(label=_("qualifier"), required=False, max_length=10)
    note = forms.CharField(
        label=_("review note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    replace = forms.BooleanField(
        label=_("This figure replaces the accepted one it contradicts"), required=False
    )
    replace_target = forms.BooleanField(
        label=_("This target replaces the one entered already (shown beside it)"),
        required=False,
    )

    def __init__(self, *args, statement=None, **kwargs):
        if statement is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(statement, name) for name in services.CORRECTABLE}
        super().__init__(*args, **kwargs)
        style_fields(self.fields)
        self.fields["indicator"].widget.attrs["list"] = "intake-indicator-codes"

    def changes(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.CORRECTABLE}
