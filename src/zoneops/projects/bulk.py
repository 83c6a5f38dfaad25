"""Fast inserts for large imports: one prepared INSERT run with executemany, audit rows too.

The ORM's ``bulk_create`` spends most of its time preparing each value of each row; an import
of 5,000 projects with 12 monthly updates (65,000 rows plus as many audit rows) must take
seconds, so values go to the driver as they are (ints, strings, Decimals and dates need no
preparation on SQLite or PostgreSQL) and only other types go through the field.
"""

import datetime as dt
import json
from decimal import Decimal
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from zoneops.core.audit import trail as audit
from zoneops.core.files.imports import insert_json
from zoneops.core.models import ObjectChange

PLAIN = (int, str, bool, Decimal, dt.date, float)
PLAIN_TYPES = frozenset((*PLAIN, type(None)))
# Databases to which ``insert`` can give a JSON column its value as JSON text.
TEXT_JSON = ("sqlite", "postgresql")
CHUNK = 2000


def _stamped(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _prep(field, value):
    if value is None or type(value) in PLAIN:
        return value
    return field.get_db_prep_save(value, connection)


def insert(model, rows: list[dict], constant: dict | None = None) -> None:
    """INSERT ``rows`` (attname → value) into ``model``'s table.

    Absent fields (and empty timestamps) get their defaults; ``constant`` holds values shared
    by every row, prepared once.
    """
    if not rows:
        return
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows):
        # Rows of different shapes: give every row every given field (absent → its default).
        names = list({name: None for row in rows for name in row})
        missing = object()
        values = [tuple(row.get(name, missing) for name in names) for row in rows]
        insert_values(model, names, values, constant, missing=missing)
        return
    names = list(keys)
    getter = itemgetter(*names)
    values = list(map(getter, rows)) if len(names) > 1 else [(getter(row),) for row in rows]
    insert_values(model, names, values, constant)


def insert_values(
    model, names: list[str], rows: list[tuple], constant: dict | None = None, *, missing=None
) -> None:
    """INSERT ``rows``, tuples of the values of the fields ``names`` (attnames), into
    ``model``'s table; ``insert`` for rows given as tuples, without a dict per row.

    Other fields get ``constant``'s value or their default; an empty timestamp (or a value
    that ``is missing``, when given) gets what an absent field would.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields}
    now = timezone.now()
    constant = constant or {}
    shared = {}
    for field in fields:
        if field.attname in constant:
            value = constant[field.attname]
        elif _stamped(field):
            value = now
        elif field.has_default():
            value = field.get_default()
        else:
            value = None
        shared[field.attname] = _prep(field, value)
    given = [by_name[name] for name in names]
    others = [f for f in fields if f.attname not in set(names)]
    # Columns holding a value the driver does not take as it is are converted, the others
    # are passed on untouched (checked column by column, at C speed).
    fixes = []
    for index, field in enumerate(given):
        kinds = set(map(type, map(itemgetter(index), rows)))
        is_json = field.get_internal_type() == "JSONField"
        stamped = _stamped(field)
        if is_json:
            if kinds - {str, type(None)}:
                encoder = field.encoder
                fixes.append(
                    (
                        index,
                        lambda v, encoder=encoder: (
                            v
                            if v is None or isinstance(v, str)
                            else connection.ops.adapt_json_value(v, encoder)
                        ),
                    )
                )
        elif kinds - PLAIN_TYPES or (stamped and type(None) in kinds):
            default = shared[field.attname] if stamped else None
            fixes.append(
                (
                    index,
                    lambda v, field=field, default=default: (
                        default if v is None else v if type(v) in PLAIN else _prep(field, v)
                    ),
                )
            )
    if missing is not None:
        fixes = [
            (
                index,
                lambda v, convert=convert, default=shared[given[index].attname]: (
                    default if v is missing else convert(v)
                ),
            )
            for index, convert in _all_fixes(given, fixes)
        ]
    if fixes:
        converted = []
        for row in rows:
            row = list(row)
            for index, convert in fixes:
                row[index] = convert(row[index])
            converted.append(row)
        rows = converted
    tail = tuple(shared[f.attname] for f in others)
    params = [(*row, *tail) for row in rows] if tail else rows
    columns = [f.column for f in given + others]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # SQLite runs a prepared statement per row quickly and in-process; a round trip per
        # row to a database server would not be quick.
        if connection.vendor == "postgresql":
            # COPY streams every row in one command (psycopg adapts the values).
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for values in params:
                    copy.write_row(values)
            return
        table = quote(model._meta.db_table)
        names = ", ".join(quote(c) for c in columns)
        if insert_json(cursor, table, names, len(given), rows, tail):
            return
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            table, names, ", ".join(["%s"] * len(columns))
        )
        for start in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[start : start + CHUNK])


def _all_fixes(given, fixes):
    """A conversion for every column (the identity where none was needed)."""
    known = dict(fixes)
    return [(index, known.get(index, lambda v: v)) for index in range(len(given))]


def set_completed(updates: list[tuple[Decimal, int, int]]) -> None:
    """Set (completed_ytd, completed_month) of many projects: (value, month, project id)."""
    from zoneops.projects.models import Project

    quote = connection.ops.quote_name
    table = quote(Project._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per thousand projects instead of a round trip per project.
            for start in range(0, len(updates), 1000):
                batch = updates[start : start + 1000]
                values = ", ".join(["(%s::numeric, %s::integer, %s::bigint)"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} SET completed_ytd = v.ytd, completed_month = v.month "
                    f"FROM (VALUES {values}) AS v(ytd, month, id) WHERE {table}.id = v.id",
                    [value for row in batch for value in row],
                )
            return
        if connection.Database.sqlite_version_info >= (3, 38):
            # One statement per 5,000 projects, as in core.files.imports.insert_json.
            for start in range(0, len(updates), 5000):
                payload = json.dumps(
                    [(str(value), month, pk) for value, month, pk in updates[start : start + 5000]]
                )
                cursor.execute(
                    f"UPDATE {table} SET completed_ytd = json_extract(value, '$[0]'), "
                    f"completed_month = json_extract(value, '$[1]') FROM json_each(%s) "
                    f"WHERE {table}.id = json_extract(value, '$[2]')",
                    [payload],
                )
            return
        sql = f"UPDATE {table} SET completed_ytd = %s, completed_month = %s WHERE id = %s"
        for start in range(0, len(updates), CHUNK):
            cursor.executemany(sql, updates[start : start + CHUNK])


def created_changes(snapshot: dict) -> dict:
    """What ``audit.diff(None, snapshot)`` gives, without its general bookkeeping."""
    return {k: {"before": None, "after": v} for k, v in snapshot.items() if v is not None}


def log_created(model, items) -> None:
    """Audit rows for records inserted here: ``items`` are (pk, repr, zone id, snapshot).

    The change set is written as JSON text straight away where ``insert`` can pass text to a
    JSON column (SQLite stores text; COPY into PostgreSQL parses it); a snapshot given as a
    string is that text already (see ``created_json``).
    """
    user, user_name, request_id = audit._actor()
    content_type = ContentType.objects.get_for_model(model)
    constant = {
        "time": timezone.now(),
        "user_id": user.pk if user is not None else None,
        "user_name": user_name,
        "request_id": request_id,
        "action": ObjectChange.Action.CREATE,
        "content_type_id": content_type.pk,
    }
    as_text = connection.vendor in TEXT_JSON
    rows = [
        (
            pk,
            text[:200] if type(text) is str else str(text)[:200],
            zone_id,
            snapshot
            if isinstance(snapshot, str)
            else (audit.created_json(snapshot) if as_text else created_changes(snapshot)),
        )
        for pk, text, zone_id, snapshot in items
    ]
    insert_values(ObjectChange, ["object_id", "object_repr", "zone_id", "changes"], rows, constant)


def created_json(template: str, *values) -> str | None:
    """The change set of a new row as JSON text from a template (None where not possible).

    ``template`` is made by ``json_template`` once per import; filling it per row is much
    faster than encoding a dict per row.
    """
    return template % values if connection.vendor in TEXT_JSON else None


def json_template(snapshot: dict) -> str:
    """A %-template of ``created_changes(snapshot)``: values that are ``...`` become %s slots
    (filled with JSON-ready text), the others are encoded now."""
    parts = []
    for key, value in snapshot.items():
        if value is None:
            continue
        encoded = "%s" if value is ... else _encoder().encode(value).replace("%", "%%")
        parts.append(f'{json.dumps(key)}: {{"before": null, "after": {encoded}}}')
    return "{" + ", ".join(parts) + "}"


def _encoder():
    field = ObjectChange._meta.get_field("changes")
    return field.encoder() if field.encoder else json.JSONEncoder()
