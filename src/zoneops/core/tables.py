"""Column declarations for the generic list view and its .xlsx export."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.exceptions import FieldDoesNotExist
from django.db import models


@dataclass
class Column:
    """One column: an attribute path like ``zone__name`` and how to show and sort it."""

    name: str
    label: str | None = None
    sortable: bool = True
    order_by: str | None = None
    linkify: bool = False
    accessor: Callable[[models.Model], object] | None = None

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
