from django import forms

# A date picker the browser draws; ISO format so that it shows the stored value.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def style_fields(fields) -> None:
    """Give form widgets the CSS kit's classes, so templates can render them plainly."""
    for form_field in fields.values():
        widget = form_field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
