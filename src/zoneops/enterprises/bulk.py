"""Writing hundreds of thousands of rows quickly, audit rows included.

``bulk_create`` compiles every value of every row through the ORM (about 0.3 ms a row here),
which is too slow for a statistics office's 1,200,000-row year. These helpers send one
prepared ``INSERT`` per table with ``executemany`` in batches, and write the audit trail rows
exactly as ``zoneops.core.audit.trail.log_bulk_create`` would (same columns, same ``changes``
format: ``{attname: {"before": None, "after": value}}`` for every non-empty audited field).
Audit values may be given as a dict or, for speed, as the JSON text of the ``changes``
column. Values passed in must already be what the database driver takes: str, int, bool, Decimal,
None; dates, datetimes, UUIDs and JSON are adapted here through the model fields.
"""

import json
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from zoneops.core.access import context
from zoneops.core.files.imports import insert_json
from zoneops.core.models import ObjectChange
from zoneops.core.registries import background

BATCH = 5000


def insert_sql(model, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"


def insert_rows(
    model,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    constant: Sequence = (),
    constant_columns: Sequence[str] = (),
) -> int:
    """INSERT ``rows`` (tuples in the order of ``columns``, given as attnames), each followed
    by ``constant``, the values of ``constant_columns`` that every row shares."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    every = (*columns, *constant_columns)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in every)
    sql = insert_sql(model, every)
    constant = tuple(constant)
    count = 0
    batch = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A larger page cache for this connection: the audit table's indexes grow by
            # a million entries, and SQLite's default 2 MB cache thrashes on them.
            cursor.execute("PRAGMA cache_size = -131072")

        def write(batch):
            if not insert_json(cursor, table, names, len(columns), batch, constant):
                cursor.executemany(sql, [(*row, *constant) for row in batch] if constant else batch)

        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                write(batch)
                count += len(batch)
                batch = []
                background.report(count, None, background.WRITING)  # a job may stop here
        if batch:
            write(batch)
            count += len(batch)
    return count


def update_rows(model, objs: list, fields: Sequence[str]) -> None:
    """Write ``fields`` of ``objs`` as ``bulk_update`` would (the same values, prepared by the
    fields), on SQLite as one prepared UPDATE run by executemany: ``bulk_update`` builds a CASE
    with a WHEN per record for each field, and compiling those took minutes for one month's
    100,000 corrected figures. Other databases use ``bulk_update``."""
    if connection.vendor != "sqlite":
        model.objects.bulk_update(objs, fields)
        return
    concrete = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [
            *(
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for field in concrete
            ),
            obj.pk,
        ]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])


def prep(model, attname: str, value):
    """A constant value as the database takes it (dates, datetimes, UUIDs)."""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return field.get_db_prep_save(value, connection)


def max_pk(model) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def audit_created(model, rows: Iterable[tuple[int, str, int | None, dict]]) -> int:
    """Audit rows for records inserted here: (pk, text, zone id, {attname: plain value})."""
    ctx = context.current()
    user = getattr(ctx, "user", None) if ctx else None
    user_id = user.pk if user is not None else None
    user_name = user.get_username() if user is not None else ""
    request_id = prep(ObjectChange, "request_id", ctx.request_id if ctx else None)
    now = prep(ObjectChange, "time", timezone.now())
    content_type_id = ContentType.objects.get_for_model(model).pk
    adapt_json = connection.ops.adapt_json_value
    sqlite = connection.vendor == "sqlite"
    constant = (
        now,
        user_id,
        user_name,
        request_id,
        ObjectChange.Action.CREATE.value,
        content_type_id,
    )
    constant_columns = ("time", "user_id", "user_name", "request_id", "action", "content_type_id")

    def audit_rows():
        for pk, text, zone_id, values in rows:
            if isinstance(values, str):  # already the JSON text
                changes = values if sqlite else json.loads(values)
            else:
                changes = {
                    name: {"before": None, "after": value}
                    for name, value in values.items()
                    if value is not None
                }
            yield (
                pk,
                text[:200],
                zone_id,
                changes if isinstance(changes, str) else adapt_json(changes, DjangoJSONEncoder),
            )

    return insert_rows(
        ObjectChange,
        ("object_id", "object_repr", "zone_id", "changes"),
        audit_rows(),
        constant,
        constant_columns,
    )
