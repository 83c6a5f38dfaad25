"""Column declarations for the generic list view and its .xlsx export."""

import inspect
import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partialmethod

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy

from zoneops.core.zones import geo


@dataclass
class Column:
    """One column: an attribute path like ``zone__name`` and how to show and sort it."""

    name: str
    label: str | None = None
    sortable: bool = True
    order_by: str | None = None
    linkify: bool = False
    accessor: Callable[[models.Model], object] | None = None
    # The attribute the accessor's result depends on alone (e.g. "content_type_id"): an export
    # then calls the accessor once per distinct value of it instead of once per row.
    depends_on: str | None = None
    # A working-day deadline: the list marks it 暂定 when its year has no holiday notice yet.
    deadline: bool = False
    # For an export read with values_list instead of model instances: the field path the
    # accessor's result depends on and the function of that field's value giving it (e.g.
    # ("changes", lambda changes: "、".join(changes))).
    # The path may be a tuple of paths; the function then takes a tuple of their values.
    from_values: tuple[str | tuple[str, ...], Callable[[object], object]] | None = None

    def bind(self, model: type[models.Model]) -> "Column":
        # A copy: the declared column is shared by every request, whatever its language.
        if self.label is None:
            return replace(self, label=field_label(model, self.name))
        return self

    @property
    def ordering(self) -> str:
        return self.order_by or self.name

    def value(self, obj: models.Model):
        if self.accessor is not None:
            return self.accessor(obj)
        *path, last = self.name.split("__")
        for part in path:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        display = getattr(obj, f"get_{last}_display", None)
        if display is not None:
            return display()
        return getattr(obj, last, None)

    def getter(self, model: type[models.Model]) -> Callable[[models.Model], object]:
        """``value`` as a function for many rows of ``model`` (an export): the path is split
        once, and the labels of a field's choices are looked up once, in the active language,
        instead of once per row. Anything it cannot work out from the model falls back to
        ``value``."""
        if self.accessor is not None:
            return self.accessor if self.depends_on is None else self._memoized_accessor()
        *path, last = self.name.split("__")
        target = _model_at(model, path)
        if target is None:
            return self.value
        display = inspect.getattr_static(target, f"get_{last}_display", None)
        if display is None:
            attribute = last
            labels = None
        elif (
            isinstance(display, partialmethod)
            and display.func is models.Model._get_FIELD_display
            and "field" in display.keywords
        ):
            field = display.keywords["field"]  # Django's own get_FOO_display for choices
            attribute = field.attname
            labels = {
                key: force_str(label, strings_only=True)
                for key, label in make_hashable(field.flatchoices)
            }
        else:
            return self.value

        def get(obj):
            for part in path:
                obj = getattr(obj, part, None)
                if obj is None:
                    return None
            if labels is None:
                return getattr(obj, attribute, None)
            value = getattr(obj, attribute)
            try:
                return labels[value]
            except KeyError:
                return force_str(value, strings_only=True)
            except TypeError:  # unhashable (a JSON list …): as _get_FIELD_display does it
                return force_str(labels.get(make_hashable(value), value), strings_only=True)

        return get

    def value_source(self, model: type[models.Model]):
        """(field path, function of its value or None) giving the column's value from a row of
        ``values_list``, the way ``getter`` gives it from an instance; None where only an
        instance can give it (an accessor without ``from_values``, a relation shown as its
        text, a property, a display method of the model's own)."""
        if self.accessor is not None:
            return self.from_values
        *path, last = self.name.split("__")
        target = _model_at(model, path)
        if target is None:
            return None
        try:
            field = target._meta.get_field(last)
        except FieldDoesNotExist:
            return None
        if field.is_relation or not field.concrete:
            return None
        display = inspect.getattr_static(target, f"get_{last}_display", None)
        if display is None:
            return self.name, None
        if not (
            isinstance(display, partialmethod)
            and display.func is models.Model._get_FIELD_display
            and display.keywords.get("field") is field
        ):
            return None
        labels = {
            key: force_str(label, strings_only=True)
            for key, label in make_hashable(field.flatchoices)
        }

        def label(value):
            try:
                return labels[value]
            except KeyError:
                return force_str(value, strings_only=True)
            except TypeError:
                return force_str(labels.get(make_hashable(value), value), strings_only=True)

        return self.name, label

    def _memoized_accessor(self) -> Callable[[models.Model], object]:
        accessor, key_of, memo = self.accessor, operator.attrgetter(self.depends_on), {}

        def get(obj):
            key = key_of(obj)
            try:
                return memo[key]
            except KeyError:
                memo[key] = value = accessor(obj)
                return value

        return get


def _model_at(model: type[models.Model], path: list[str]) -> type[models.Model] | None:
    """The model reached by following the relations ``path`` from ``model``, if it is one."""
    for part in path:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation or field.related_model is None:
            return None
        model = field.related_model
    return model


def field_label(model: type[models.Model], path: str) -> str:
    """The verbose name of the last field on an ``a__b`` path, capitalised like Django does."""
    current = model
    field = None
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return path
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    label = str(getattr(field, "verbose_name", path))
    return label[:1].upper() + label[1:]


def located_export_columns(model) -> list[Column]:
    """Columns an .xlsx export of located records adds: WGS-84 and GCJ-02 (for 高德, 腾讯)."""
    columns = [
        Column("longitude", gettext_lazy("Longitude (WGS-84)")),
        Column("latitude", gettext_lazy("Latitude (WGS-84)")),
        Column(
            "gcj02_longitude",
            gettext_lazy("Longitude (GCJ-02)"),
            sortable=False,
            accessor=lambda obj: geo.gcj02_columns(obj, 0),
        ),
        Column(
            "gcj02_latitude",
            gettext_lazy("Latitude (GCJ-02)"),
            sortable=False,
            accessor=lambda obj: geo.gcj02_columns(obj, 1),
        ),
    ]
    return [column.bind(model) for column in columns]
