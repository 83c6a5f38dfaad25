from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Department, Zone
from zoneops.core.widgets import style_fields


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose choices of related records are limited to what the user may see.

    A record's zone must be one the user may change records in.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for form_field in self.fields.values():
            queryset = getattr(form_field, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "restrict"):
                form_field.queryset = queryset.restrict(user, "view")
        style_fields(self.fields)


class ZoneForm(ScopedModelForm):
    class Meta:
        model = Zone
        fields = ["code", "name", "kind", "parent", "division_code", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].to_field_name = "code"
        self.fields["parent"].help_text = _("Code of the zone this one belongs to.")
        if self.instance.pk:
            # A zone cannot move below itself.
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=self.instance.path
            )

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        user = self.user
        if parent is None and user is not None and not user.is_zone_admin:
            raise forms.ValidationError(_("Only an administrator may create a top-level zone."))
        return parent


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["zone", "name", "code", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
