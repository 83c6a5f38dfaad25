import datetime as dt
import decimal
import functools

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def display(value):
    """A value as staff expect to read it: local times, 是/否, money without trailing zeros."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return formats.number_format(
            value.normalize() if value == value.to_integral() else value,
            use_l10n=True,
            force_grouping=True,
        )
    return value


@functools.cache
def audited_fields(model) -> dict:
    """name and attname (``zone_id``) → field, many-to-many fields included, of a model."""
    fields = {}
    if model is not None:
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            fields[field.attname] = fields[field.name] = field
    return fields


def changed_field_labels(change) -> str:
    """The labels of the fields an audit row changed (所属园区、名称), as the list shows them."""
    return field_labels((change.content_type_id, change.changes))


def field_labels(content_type_and_changes) -> str:
    """changed_field_labels from the row's values (content type id, changes), for exports."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils.text import capfirst

    content_type_id, changes = content_type_and_changes
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    fields = audited_fields(model) if model is not None else {}
    return "、".join(
        str(capfirst(fields[name].verbose_name)) if name in fields else name
        for name in (changes or {})
    )


@register.filter
def readable_changes(change, obj=None) -> list[tuple[str, object, object]]:
    """An audit row's changes as a user reads them: (field label, before, after), with choice
    labels instead of codes, related records instead of ids and dates instead of ISO text.
    A model may word its own values with ``history_display(name, value)`` (e.g. a case's state,
    whose words belong to its workflow)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils.dateparse import parse_date, parse_datetime
    from django.utils.text import capfirst

    model = ContentType.objects.get_for_id(change.content_type_id).model_class()
    fields = audited_fields(model)
    own = getattr(obj, "history_display", None) if isinstance(obj, model or ()) else None
    related: dict = {}

    def show(name, field, value):
        if value is None or value == "":
            return value
        if own is not None:
            worded = own(name, value)
            if worded is not None:
                return worded
        if field is None:
            return value
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if field.many_to_many and isinstance(value, list):
            names = dict(
                (obj.pk, str(obj))
                for obj in field.related_model._default_manager.filter(pk__in=value)
            )
            return "、".join(names.get(pk, str(pk)) for pk in value)
        if field.many_to_one and not isinstance(value, dict | list):
            key = (field.related_model, value)
            if key not in related:
                found = field.related_model._default_manager.filter(pk=value).first()
                related[key] = str(found) if found is not None else value
            return related[key]
        if isinstance(value, str) and field.get_internal_type() == "DateTimeField":
            return parse_datetime(value) or value
        if isinstance(value, str) and field.get_internal_type() == "DateField":
            return parse_date(value) or value
        return value

    rows = []
    for name, values in (change.changes or {}).items():
        field = fields.get(name)
        label = capfirst(field.verbose_name) if field is not None else name
        values = values if isinstance(values, dict) else {"before": None, "after": values}
        rows.append(
            (
                label,
                show(name, field, values.get("before")),
                show(name, field, values.get("after")),
            )
        )
    return rows


@register.simple_tag
def cell(column, obj, value):
    shown = display(value)
    if column.linkify and hasattr(obj, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), shown)
    if getattr(column, "deadline", False) and isinstance(value, dt.date):
        return format_html("{}{}", shown, provisional_badge(value))
    return format_html("{}", shown)


@register.simple_tag
def provisional_badge(due, start=None):
    """暂定 after a deadline counted on a year whose holiday notice is not entered yet."""
    from zoneops.core.calendar import workdays as calendar

    if not isinstance(due, dt.date) or not calendar.is_provisional(due, start):
        return ""
    return format_html(
        '<span class="badge badge-provisional ms-1" title="{}">{}</span>'
        '<span class="visually-hidden">{}</span>',
        _(
            "Provisional: this year's holiday notice is not entered yet; the deadline counts "
            "the statutory holidays only and is recomputed when the notice is entered."
        ),
        _("Provisional"),
        _("(counted without the year's holiday notice)"),
    )


@register.simple_tag
def sort_url(column, current_sort, base_query):
    target = column.name
    if current_sort == column.name:
        target = f"-{column.name}"
    prefix = f"{base_query}&" if base_query else ""
    return f"?{prefix}sort={target}"


@register.simple_tag
def sort_indicator(column, current_sort):
    if current_sort == column.name:
        return "▲"
    if current_sort == f"-{column.name}":
        return "▼"
    return ""
