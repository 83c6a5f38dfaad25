"""The audit trail: what changed, by whom, when, with values before and after."""

import datetime as dt
import decimal
import uuid
from json.encoder import encode_basestring_ascii

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

from zoneops.core.access import context
from zoneops.core.audit.models import ObjectChange


def _plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # ``.url`` of an empty one raises ValueError
        return value.name or ""
    return value


def audited_fields(instance: models.Model) -> list[models.Field]:
    exclude = set(getattr(instance, "audit_exclude", ()))
    return [
        f for f in instance._meta.concrete_fields if f.name not in exclude and not f.primary_key
    ]


def snapshot(instance: models.Model) -> dict:
    # Personal data (a model's ``personal_fields``) is kept masked in the audit trail: the
    # audit administrator handles no case (core.access.privacy).
    from zoneops.core.access.privacy import mask_personal

    return {
        f.attname: mask_personal(instance, f.attname, _plain(getattr(instance, f.attname)))
        for f in audited_fields(instance)
    }


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    keys = list(after) if after else list(before)
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in keys
        if before.get(key) != after.get(key)
    }


_ENCODER = DjangoJSONEncoder()
_PREFIXES: dict[str, str] = {}


def _json_value(value) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return _ENCODER.encode(value)


def _json_prefix(name: str) -> str:
    prefix = _PREFIXES.get(name)
    if prefix is None:
        key = encode_basestring_ascii(name)
        prefix = _PREFIXES[name] = f'{key}: {{"before": null, "after": '
    return prefix


def created_json(values: dict) -> str:
    """The JSON text of the ``changes`` of a new record with ``values`` (attname → plain
    value): what the audit column's encoder writes for ``diff(None, values)``, character for
    character, built piece by piece (encoding a dict of dicts per row costs more than the
    INSERT of a 100,000-row registry). str, int and bool values are written here, others by
    the encoder. The audit trail's one serializer of new records (``created_template`` is
    the same with slots)."""
    parts = []
    for name, value in values.items():  # inline, not _json_value: this runs for every cell
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            text = encode_basestring_ascii(value)
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is int:
            text = int.__repr__(value)
        else:
            text = _ENCODER.encode(value)
        prefix = _PREFIXES.get(name)
        if prefix is None:
            prefix = _json_prefix(name)
        parts.append(f"{prefix}{text}}}")
    return "{" + ", ".join(parts) + "}"


class Slot(str):
    """A %-placeholder in a ``created_template``, filled row by row."""


INT = Slot("%d")  # an int
TEXT = Slot('"%s"')  # text that needs no JSON escaping (a decimal number as text)
JSON = Slot("%s")  # JSON text


def created_template(values: dict) -> str:
    """``created_json(values)`` as a %-template: values that are slots (``INT``, ``TEXT``,
    ``JSON``) are left to fill per row (``template % (...)``, in their order); filling a
    template made once per import is much faster than encoding each row."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        text = str(value) if isinstance(value, Slot) else _json_value(value).replace("%", "%%")
        parts.append(f"{_json_prefix(name).replace('%', '%%')}{text}}}")
    return "{" + ", ".join(parts) + "}"


def _actor():
    ctx = context.current()
    user = getattr(ctx, "user", None) if ctx else None
    return user, (user.get_username() if user else ""), (ctx.request_id if ctx else None)


def identity(instance: models.Model) -> tuple[object, str, int | None]:
    """What names a record in its audit row: its id, its text (as much as the column holds)
    and its zone (for the zone-scoped reading of the trail)."""
    zone_id = instance.zone_id_for_audit() if hasattr(instance, "zone_id_for_audit") else None
    return instance.pk, str(instance)[:200], zone_id


def change_row(instance, action: str, changes: dict, content_type=None) -> ObjectChange:
    """The audit row of one change of ``instance`` by the request's user (unsaved): what the
    signals save for every save and delete, and the importers write in bulk for updates.
    Records inserted in bulk get theirs from ``bulk.log_created`` (the same columns)."""
    user, user_name, request_id = _actor()
    object_id, object_repr, zone_id = identity(instance)
    return ObjectChange(
        user=user,
        user_name=user_name,
        request_id=request_id,
        action=action,
        content_type=content_type or ContentType.objects.get_for_model(instance),
        object_id=object_id,
        object_repr=object_repr,
        zone_id=zone_id,
        changes=changes,
    )
