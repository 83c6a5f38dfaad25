from django import forms
from django.utils.translation import gettext_lazy as _

# A date picker the browser draws; ISO format so that it shows the stored value.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Long lists get a searchable picker (Tom Select, zoneops/pickers.js): enterprises (636 in the
# demo), industries by GB/T 4754 code or name, zones and people.
PICKER_MODELS = {"enterprises.enterprise", "enterprises.industry", "core.zone", "core.user"}


def wants_picker(form_field) -> bool:
    queryset = getattr(form_field, "queryset", None)
    return queryset is not None and queryset.model._meta.label_lower in PICKER_MODELS


# Options written in place, not one template per option (a province's zone picker).
QUICK_SELECT = "zoneops/widgets/select.html"


def style_fields(fields) -> None:
    """Give form widgets the CSS kit's classes, so templates can render them plainly; selects
    of enterprises, industries, zones and people become searchable pickers."""
    for form_field in fields.values():
        widget = form_field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select form-select-sm"
            if not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.template_name = QUICK_SELECT
            if wants_picker(form_field) and not isinstance(widget, forms.RadioSelect):
                widget.attrs["data-picker"] = "search"
                widget.attrs["data-picker-none"] = _("Nothing found.")
                widget.attrs["data-picker-placeholder"] = _("Type to search")
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
