"""One write path per model: which service creates, updates and deletes a model's records.

Apps register their models' services from ``AppConfig.ready()`` (``register``), as NetBox and
Zulip keep one write function per action. The generic edit views (through ``ScopedModelForm``),
the API's ``ScopedModelViewSet``, imports and the tick call ``save``/``delete``, which look the
service up at call time; a model without rules is written by ``save_object``/``delete_object``.

A form or serializer that calls its model's service itself (with the service's own keywords)
does not go through ``save``; a service that the framework calls takes
``(obj, *, acting_user, fields=None)`` for create and update, ``(obj, *, acting_user)`` for
delete. The services are kept by dotted name so that each call finds the function the module
holds then (a test's spy included).
"""

import contextlib
from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.utils.module_loading import import_string

from zoneops.core.access import context

CREATE, UPDATE, DELETE = "create", "update", "delete"
ACTIONS = (CREATE, UPDATE, DELETE)

SAVE_OBJECT = "zoneops.core.registries.writes.save_object"
DELETE_OBJECT = "zoneops.core.registries.writes.delete_object"

_services: dict[tuple[str, str], str] = {}


def _name(service: Callable | str) -> str:
    if isinstance(service, str):
        return service
    return f"{service.__module__}.{service.__qualname__}"


def register(
    model: type[models.Model],
    *,
    create: Callable | str | None = None,
    update: Callable | str | None = None,
    delete: Callable | str | None = None,
) -> None:
    """Name the services that write ``model``'s records (``None``: the generic one)."""
    label = model._meta.label
    for action, service in ((CREATE, create), (UPDATE, update), (DELETE, delete)):
        if service is not None:
            _services[(label, action)] = _name(service)
        else:
            _services.setdefault(
                (label, action), DELETE_OBJECT if action == DELETE else SAVE_OBJECT
            )


def is_registered(model: type[models.Model]) -> bool:
    return (model._meta.label, UPDATE) in _services


def service_name(model: type[models.Model], action: str) -> str:
    """The dotted name of the service that does ``action`` on ``model``'s records."""
    default = DELETE_OBJECT if action == DELETE else SAVE_OBJECT
    return _services.get((model._meta.label, action), default)


def service(model: type[models.Model], action: str) -> Callable:
    return import_string(service_name(model, action))


def save(obj: models.Model, *, acting_user, fields: Iterable[str] | None = None) -> models.Model:
    """Create or update ``obj`` (its attributes set, not yet saved) through its model's
    service."""
    action = CREATE if obj._state.adding else UPDATE
    return service(type(obj), action)(obj, acting_user=acting_user, fields=fields)


def delete(obj: models.Model, *, acting_user) -> None:
    service(type(obj), DELETE)(obj, acting_user=acting_user)


@contextlib.contextmanager
def _attributed(acting_user):
    """One transaction whose audit rows name the request's actor, else ``acting_user`` (a
    command, the tick)."""
    with contextlib.ExitStack() as stack:
        ctx = context.current()
        if ctx is None or ctx.user is None:
            stack.enter_context(context.acting_as(acting_user))
        stack.enter_context(transaction.atomic())
        yield


def changed_fields(obj: models.Model) -> list[str]:
    """The concrete fields of a stored ``obj`` whose values differ from its row."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    row = type(obj)._base_manager.filter(pk=obj.pk).values(*(f.attname for f in fields)).first()
    if row is None:
        return [f.name for f in fields]
    return [f.name for f in fields if row[f.attname] != getattr(obj, f.attname)]


def save_object(
    obj: models.Model, *, acting_user, fields: Iterable[str] | None = None
) -> models.Model:
    """The write of a model without rules: a new record is inserted; a stored one is saved
    with ``update_fields`` (``fields``, else the fields that differ from its row, plus its
    save time), or not at all when nothing changed. The audit row names ``acting_user``."""
    with _attributed(acting_user):
        if obj._state.adding:
            obj.save()
            return obj
        concrete = {f.name: f for f in obj._meta.concrete_fields if not f.primary_key}
        names = changed_fields(obj) if fields is None else [n for n in fields if n in concrete]
        if not names:
            return obj
        stamps = [n for n, f in concrete.items() if getattr(f, "auto_now", False)]
        obj.save(update_fields=sorted({*names, *stamps}))
    return obj


def delete_object(obj: models.Model, *, acting_user) -> None:
    """The delete of a model without rules (the audit row names ``acting_user``)."""
    with _attributed(acting_user):
        obj.delete()
