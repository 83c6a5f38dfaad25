from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.ui.forms import ScopedModelForm
from zoneops.notifications import services
from zoneops.notifications.models import Channel, Event, Route


class RouteForm(ScopedModelForm):
    """A route. The webhook address and the secret are never shown back: left empty on
    editing, they keep their stored values."""

    events_choice = forms.MultipleChoiceField(
        label=_("events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    webhook_url = forms.URLField(
        label=_("webhook URL"), required=False, max_length=500, assume_scheme="https"
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = Route
        fields = ["zone", "department", "name", "channel", "phones", "enabled", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
        instance = self.instance
        if instance.zone_id:  # the route's zone's departments, or those of a zone above it
            above = [int(part) for part in instance.zone.path.strip("/").split("/") if part]
            self.fields["department"].queryset = self.fields["department"].queryset.filter(
                zone_id__in=above
            )
        self.fields["events_choice"].initial = instance.event_list() if instance.pk else []
        if instance.pk and instance.webhook_url:
            self.fields["webhook_url"].help_text = _(
                "Stored: {url}. Leave empty to keep it."
            ).format(url=services.mask_url(instance.webhook_url))
        else:
            self.fields["webhook_url"].help_text = Route._meta.get_field("webhook_url").help_text
        if instance.pk and instance.secret:
            self.fields["secret"].help_text = _("Stored: {secret}. Leave empty to keep it.").format(
                secret=services.mask_secret(instance.secret)
            )
        else:
            self.fields["secret"].help_text = Route._meta.get_field("secret").help_text

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        url = data.get("webhook_url") or self.instance.webhook_url
        if channel in (Channel.WECOM, Channel.DINGTALK) and not url:
            self.add_error("webhook_url", _("A robot route needs its webhook address."))
        if channel == Channel.SMS and not data.get("phones"):
            self.add_error("phones", _("An SMS route needs at least one phone number."))
        return data

    def save(self, commit=True):
        route = super().save(commit=False)
        route.set_events(self.cleaned_data["events_choice"])
        if self.cleaned_data.get("webhook_url"):
            route.webhook_url = self.cleaned_data["webhook_url"]
        if self.cleaned_data.get("secret"):
            route.secret = self.cleaned_data["secret"]
        return services.save_route(route, acting_user=self.user)


class EnterpriseSmsForm(forms.Form):
    text = forms.CharField(
        label=_("message"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
