"""Moving a closed-loop case one step from its record's page (the loop case's own, a project's
blocker, a task): the form, and the detail view whose POST takes it.

Each page declares only which service moves its record (``transition``) and, where its case is
not the record itself, where the case is (``case_of``); the form's fields are the service's
keywords. A refusal (the rules of the workflow, the user's role or zone) comes back as a message
on the page, as does a form that does not validate.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import VIEW
from zoneops.core.accounts.models import User
from zoneops.core.loop import workflows as loop
from zoneops.core.ui import generic
from zoneops.core.ui.forms import label_departments
from zoneops.core.zones.models import Department


class TransitionForm(forms.Form):
    """A step of a closed-loop case: its name, a comment, and whom it goes to (the departments
    of the case's zone and above, the people its workflow lets handle it)."""

    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=gettext_lazy("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=Department.objects.none(), required=False
    )
    handler = forms.ModelChoiceField(
        label=gettext_lazy("handler"), queryset=User.objects.none(), required=False
    )
    extra_working_days = forms.IntegerField(
        label=gettext_lazy("extra working days"), required=False, min_value=1, max_value=60
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = [int(p) for p in case.zone.path.strip("/").split("/")]
        self.fields["department"].queryset = Department.objects.filter(zone_id__in=ancestors)
        label_departments(self.fields["department"])
        self.fields["handler"].queryset = loop.get_workflow(case.kind).handlers(case.zone)


class TransitionDetailView(generic.ObjectDetailView):
    """A record's page whose POST moves its case by ``transition_form_class`` and the service
    the page names in ``transition``; then back to the page."""

    transition_form_class: type[forms.Form] = TransitionForm

    def case_of(self, obj):
        """The record's closed-loop case (``obj.case``, or the record itself for a case)."""
        return obj.case

    def transition_form(self, obj, data=None) -> forms.Form:
        return self.transition_form_class(data, case=self.case_of(obj))

    def transition(self, obj, name: str, **kwargs):
        """Move ``obj`` by the step ``name`` through its app's service (keywords: the form's
        fields and ``acting_user``)."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        # Seeing the record is enough to ask: the service decides who may take which step.
        obj = self.get_object(VIEW)
        form = self.transition_form(obj, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            name = data.pop("transition")
            try:
                self.transition(obj, name, acting_user=request.user, **data)
                messages.success(request, _("Done."))
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                messages.error(request, text)
        else:
            messages.error(request, _("Please check the form."))
        return HttpResponseRedirect(obj.get_absolute_url())
