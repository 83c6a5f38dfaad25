"""The one bulk writer: many rows into a table quickly, and their audit rows.

The ORM's ``bulk_create`` and ``bulk_update`` prepare every value of every row through its
field (about 0.3 ms a row here), too slow for a statistics office's 1,200,000-row year or a
dispatch sheet of 5,000 projects with 12 monthly updates. Here values go to the database as
they are where the driver takes them (str, int, bool, Decimal, date, None) and only other
types (datetimes, UUIDs, JSON, ...) go through their field:

- PostgreSQL: ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``), a batch at a time;
- SQLite: one ``INSERT ... SELECT`` over a JSON array of a batch's rows where the values are
  of the types JSON carries exactly (``json_rows``), else one prepared ``INSERT`` run by
  ``executemany`` a batch at a time (SQLite runs a prepared statement in-process, quickly).

Between batches the writer reports its progress (``background.report``, phase "writing"): a
job shows it and may be cancelled there. Updates of many records (``update``, ``update_values``)
take one statement a chunk likewise. Audit rows of inserted records (``log_created``) are
written by the same writer, their ``changes`` as the audit trail's one serializer
(``audit.created_json`` / ``audit.created_template``) writes them.
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from zoneops.core.audit import trail as audit
from zoneops.core.audit.models import ObjectChange
from zoneops.core.db import versions
from zoneops.core.registries import background

BATCH = 5000
# Types the drivers of SQLite and PostgreSQL take as they are (Django's adapters on SQLite
# turn Decimals and dates into text, as the fields would).
PLAIN = frozenset({int, str, bool, Decimal, dt.date, float, type(None)})
# Databases whose JSON columns take JSON text (SQLite stores it; COPY into PostgreSQL parses it).
TEXT_JSON = ("sqlite", "postgresql")


def _stamped(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _prep(field, value):
    if type(value) in PLAIN:
        return value
    return field.get_db_prep_save(value, connection)


def _concrete(model, name: str):
    """The concrete field of an attname ("zone_id") or a name ("zone")."""
    for field in model._meta.concrete_fields:
        if name in (field.attname, field.name):
            return field
    raise LookupError(f"{model.__name__} has no column {name}")


def _raw_defaults(model, skip: set[str], constant: dict) -> dict[str, object]:
    """What a row gets in a column it does not give: ``constant``'s value, else now for a
    timestamp, else the field's default (as Python values)."""
    now = timezone.now()
    values = {}
    for field in model._meta.concrete_fields:
        if field.attname in skip or (field.primary_key and field.attname not in constant):
            continue
        if field.attname in constant:
            values[field.attname] = constant[field.attname]
        elif _stamped(field):
            values[field.attname] = now
        else:  # the default, or "" for a text field that is not nullable (as the ORM)
            values[field.attname] = field.get_default()
    return values


def _defaults(model, skip: set[str], constant: dict) -> dict[str, object]:
    """``_raw_defaults`` prepared for the database, once for every row."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return {
        name: _prep(by_attname[name], value)
        for name, value in _raw_defaults(model, skip, constant).items()
    }


def _converters(fields: list, batch: list, now: dt.datetime) -> list:
    """(column index, conversion) for the given columns of ``batch`` holding values the
    driver does not take as they are; checked a column at a time, at C speed."""
    fixes = []
    for index, field in enumerate(fields):
        kinds = set(map(type, map(itemgetter(index), batch)))
        if field.get_internal_type() == "JSONField":
            if kinds - {str, type(None)}:
                encoder = field.encoder
                fixes.append(
                    (
                        index,
                        lambda v, encoder=encoder: (
                            v
                            if v is None or type(v) is str
                            else connection.ops.adapt_json_value(v, encoder)
                        ),
                    )
                )
        elif kinds - PLAIN or (_stamped(field) and type(None) in kinds):
            default = _prep(field, now) if _stamped(field) else None
            fixes.append(
                (
                    index,
                    lambda v, field=field, default=default: (
                        default if v is None else v if type(v) in PLAIN else _prep(field, v)
                    ),
                )
            )
    return fixes


def _batches(rows: Iterable[Sequence], size: int):
    if isinstance(rows, list):
        for start in range(0, len(rows), size):
            yield rows[start : start + size]
        return
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    constant: dict | None = None,
) -> int:
    """INSERT ``rows`` (sequences of the values of ``columns``, attnames, in order) into
    ``model``'s table; the number of rows written.

    Every other column gets ``constant``'s value (shared by every row, prepared once), else
    what the ORM would give it (now for ``auto_now``/``auto_now_add``, the field's default,
    None); an empty timestamp among ``columns`` gets now too. ``rows`` may be a generator:
    it is read a batch at a time.
    """
    constant = constant or {}
    fields = [_concrete(model, name) for name in columns]
    shared = _defaults(model, {f.attname for f in fields}, constant)
    now = timezone.now()
    tail = tuple(shared.values())
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = [quote(f.column) for f in fields] + [quote(by_attname[a].column) for a in shared]
    column_list = ", ".join(names)
    width = len(fields)
    count = 0
    if model._meta.db_table not in versions.quiet_tables():
        versions.changed(connection.alias)  # COPY goes round Django's cursor and its watch
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A larger page cache for this connection: the audit table's indexes grow by a
            # million entries in a large import, and SQLite's default 2 MB cache thrashes.
            cursor.execute("PRAGMA cache_size = -131072")
        for batch in _batches(rows, BATCH):
            fixes = _converters(fields, batch, now)
            if fixes:
                converted = []
                for row in batch:
                    row = list(row)
                    for index, convert in fixes:
                        row[index] = convert(row[index])
                    converted.append(row)
                batch = converted
            _write(cursor, table, column_list, width, batch, tail)
            count += len(batch)
            background.report(count, None, background.WRITING)  # a job may stop here
    return count


def _write(cursor, table: str, names: str, width: int, batch: list, tail: tuple) -> None:
    if connection.vendor == "postgresql":
        # COPY streams every row of the batch in one command (psycopg adapts the values).
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            if tail:
                for row in batch:
                    copy.write_row((*row, *tail))
            else:
                for row in batch:
                    copy.write_row(row)
        return
    if json_rows(cursor, table, names, width, batch, tail):
        return
    marks = ", ".join(["%s"] * (width + len(tail)))
    cursor.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",
        [(*row, *tail) for row in batch] if tail else batch,
    )


def insert_dicts(model: type[models.Model], rows: list[dict], constant: dict | None = None) -> int:
    """``insert`` for rows given as dicts (attname → value); rows of different shapes get
    what an absent field would in the fields they lack."""
    if not rows:
        return 0
    keys = rows[0].keys()
    if all(row.keys() == keys for row in rows):
        names = list(keys)
        getter = itemgetter(*names)
        values = list(map(getter, rows)) if len(names) > 1 else [(getter(row),) for row in rows]
        return insert(model, names, values, constant)
    # Rows of different shapes: every row gets every given field (absent: its default).
    names = list({name: None for row in rows for name in row})
    defaults = _raw_defaults(model, set(), constant or {})
    values = [tuple(row.get(name, defaults.get(name)) for name in names) for row in rows]
    return insert(model, names, values, constant)


# SQLite: one INSERT ... SELECT over a JSON array of rows does the work of executemany in a
# third less time (the audit and monthly rows of an import: measured 0.70 s → 0.46 s and
# 0.28 s → 0.15 s), for narrow rows of the types JSON carries exactly. JSON functions are
# built into SQLite from 3.38.
JSON_TYPES = frozenset({str, int, bool, type(None), Decimal, dt.date})
JSON_WIDTH = 12


def _json_default(value):
    if type(value) is Decimal:
        return str(value)  # what the driver binds (Django's adapter), as TEXT
    if type(value) is dt.date:
        return value.isoformat()  # likewise
    raise TypeError


def _json_ready(rows: list, width: int) -> bool:
    for index in range(width):
        column = list(map(itemgetter(index), rows))
        kinds = set(map(type, column))
        if kinds - JSON_TYPES:
            return False  # floats (SQLite's reading of a JSON number may round), datetimes, ...
        if int in kinds:
            ints = [value for value in column if type(value) is int]
            if not (min(ints) >= -(2**63) and max(ints) < 2**63):
                return False
    return True


def sqlite_json() -> bool:
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 38)


def json_rows(cursor, table: str, names: str, width: int, rows: list, tail: Sequence = ()) -> bool:
    """INSERT into ``table`` (quoted) the columns ``names`` (quoted, comma separated): from
    ``rows`` (sequences of ``width`` values, in the driver's types) then ``tail`` (the same
    for every row), through SQLite's ``json_each``. False (nothing written) where this way is
    not sure to store what executemany would: the caller does that then."""
    if not sqlite_json() or width > JSON_WIDTH or not rows:
        return False  # each value is picked out of its row's JSON: wide rows cost more so
    if not _json_ready(rows, width):
        return False
    payload = json.dumps(rows, ensure_ascii=False, default=_json_default)
    if "\\u0000" in payload:
        return False  # JSON text with NUL characters is not read back whole
    picks = ", ".join(f"json_extract(value, '$[{index}]')" for index in range(width))
    constants = "".join(", %s" for _value in tail)
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {picks}{constants} FROM json_each(%s)",
        [*tail, payload],
    )
    return True


def update_values(model: type[models.Model], columns: Sequence[str], rows: list[Sequence]) -> None:
    """Set ``columns`` (attnames) of many records: ``rows`` are (*values, pk), the values
    in the driver's types. One statement a chunk: ``UPDATE ... FROM (VALUES ...)`` on
    PostgreSQL, ``UPDATE ... FROM json_each`` on SQLite (else a prepared UPDATE run by
    executemany)."""
    if not rows:
        return
    fields = [_concrete(model, name) for name in columns]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    width = len(fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            casts = [f.cast_db_type(connection) for f in (*fields, model._meta.pk)]
            casts = ["bigint" if c in ("serial", "bigserial") else c for c in casts]
            row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            names = [f"c{index}" for index in range(width)]
            sets = ", ".join(
                f"{quote(f.column)} = v.{name}" for f, name in zip(fields, names, strict=True)
            )
            for start in range(0, len(rows), 1000):
                batch = rows[start : start + 1000]
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_sql] * len(batch))})"
                    f" AS v({', '.join(names)}, id) WHERE {table}.{pk} = v.id",
                    [value for row in batch for value in row],
                )
            return
        sets = ", ".join(
            f"{quote(f.column)} = json_extract(value, '$[{index}]')"
            for index, f in enumerate(fields)
        )
        for batch in _batches(rows, BATCH):
            if sqlite_json() and _json_ready(batch, width + 1):
                payload = json.dumps(batch, ensure_ascii=False, default=_json_default)
                if "\\u0000" not in payload:
                    cursor.execute(
                        f"UPDATE {table} SET {sets} FROM json_each(%s) "
                        f"WHERE {table}.{pk} = json_extract(value, '$[{width}]')",
                        [payload],
                    )
                    continue
            marks = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            cursor.executemany(f"UPDATE {table} SET {marks} WHERE {pk} = %s", batch)


def update(model: type[models.Model], objs: list[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` (names) of ``objs`` as ``bulk_update`` would (the same values,
    prepared by the fields), through ``update_values``: ``bulk_update`` builds a CASE with a
    WHEN per record for each field, and compiling those took minutes for one month's 100,000
    corrected figures."""
    concrete = [_concrete(model, name) for name in fields]
    rows = [
        (
            *(
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for field in concrete
            ),
            obj.pk,
        )
        for obj in objs
    ]
    update_values(model, [field.attname for field in concrete], rows)


def max_pk(model: type[models.Model]) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def inserted_pks(model: type[models.Model], count: int) -> range | None:
    """The ids of the ``count`` rows just inserted into ``model``'s table, in order, without
    reading them back; None where that cannot be known (not SQLite, or the ids are not
    consecutive).

    SQLite gives each new row an id above every id before it and the import's transaction is
    the only writer, so the rows hold the ``count`` ids up to the last one given out, unless a
    row of that range was there before (checked: one count over the range, by id).
    """
    if connection.vendor != "sqlite" or count <= 0:
        return None
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
        first = last - count + 1
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s", [first, last])
        if cursor.fetchone()[0] != count:
            return None
    return range(first, last + 1)


def log_created(model: type[models.Model], items: Iterable[tuple]) -> int:
    """Audit rows for records inserted here: ``items`` are (pk, text, zone id, values), the
    values a dict of attname → plain value (``audit.snapshot``'s kind) or already the JSON
    text of the change set (``audit.created_json``, or a filled ``audit.created_template``).
    ``log_bulk_create`` writes the rows of records saved by the ORM's ``bulk_create`` here too."""
    user, user_name, request_id = audit._actor()
    constant = {
        "time": timezone.now(),
        "user_id": user.pk if user is not None else None,
        "user_name": user_name,
        "request_id": request_id,
        "action": ObjectChange.Action.CREATE,
        "content_type_id": ContentType.objects.get_for_model(model).pk,
    }
    as_text = connection.vendor in TEXT_JSON

    def changes(values):
        if type(values) is str:
            return values if as_text else json.loads(values)
        return audit.created_json(values) if as_text else audit.diff(None, values)

    rows = (
        (
            pk,
            text[:200] if type(text) is str else str(text)[:200],
            zone_id,
            changes(values),
        )
        for pk, text, zone_id, values in items
    )
    return insert(ObjectChange, ("object_id", "object_repr", "zone_id", "changes"), rows, constant)


def log_bulk_create(instances: Iterable[models.Model]) -> int:
    """Audit rows for records of one model written with the ORM's ``bulk_create`` (which
    sends no signals): by ``log_created``, the one writer of new records' audit rows, each
    record named as ``audit.change_row`` names it and its values as ``audit.snapshot`` reads
    them."""
    instances = list(instances)
    if not instances:
        return 0
    # The records were saved by the caller's step, which reports its own progress in a job
    # (intake's reading counts sentences): their audit rows report none of their own.
    with background.reporting(None):
        return log_created(
            type(instances[0]),
            ((*audit.identity(obj), audit.snapshot(obj)) for obj in instances),
        )
