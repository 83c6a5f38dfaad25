"""Roll-ups (summary tables): a few hundred rows the dashboard and the dispatch pack read
instead of millions of base rows, kept in step with the base tables in the same transaction
as every write.

An app declares a roll-up from its ``AppConfig.ready()`` (core imports no app)::

    rollups.register(
        "appeals",                  # the roll-up's kind
        model=AppealRollup,         # its table: key columns (its unique constraint) and figures
        select=appeal_rows,         # select(zone_ids, where) -> a values() queryset
        sources={Appeal: keys_of},  # base models whose saves and deletes touch it
    )

``select(zone_ids, where)`` returns the GROUP BY queryset that computes the roll-up rows of
those zones (every zone with ``None``) from the base tables, narrowed to the rows whose key
fields have ``where``'s values (``{"year": 2025, "month": 9}``; ``{}``: all), its columns
named as the roll-up model's fields (an annotation whose name a base field takes is called
``rollup_<field>``). Recomputing is one DELETE of those rows and one ``INSERT … SELECT …
GROUP BY`` (``recompute``): no row is read into Python.

Keeping it in step, in the same transaction as the write:

- every save and delete of a source model (through the services, the generic
  ``writes.save``/``delete``, a cascade) touches the keys its ``sources`` function names for
  the record before and after the write (Django's model signals): a zone id, or
  ``(zone id, {field: value})`` for a slice of the zone (an appeal's month, a case's kind);
- ``touch(kind, zone_ids=…, **where)``: what a bulk writer that goes past the signals calls
  once per batch (``zoneops tick``'s UPDATE of the levels);
- ``batch()`` / ``@batched``: a writer that saves many records one by one (the calendar moving
  every open deadline) recomputes each touched zone once, at the end of the block.

``check()`` recomputes every roll-up from scratch inside a savepoint that is rolled back and
answers the differences with the kept rows (``zoneops rollups --check``); ``rebuild()``
recomputes every zone (or some) of every roll-up: one GROUP BY pass per roll-up, what
``zoneops generate`` calls after loading (``rebuild_after_load``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connections, models, router, transaction
from django.db.models.signals import post_delete, post_save, pre_save


@dataclass(frozen=True)
class Rollup:
    kind: str
    model: type[models.Model]
    select: Callable[[list[int] | None, dict], models.QuerySet]
    sources: dict = field(default_factory=dict)
    # The ``where`` values the rows are kept for, when a roll-up keeps some slices only (the
    # days a date-dependent roll-up is asked for): recomputing a whole zone recomputes each.
    slices: Callable[[], list[dict]] | None = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def key_fields(self) -> list[str]:
        """The roll-up's key: its unique constraint's fields."""
        for constraint in self.model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                return list(constraint.fields)
        raise LookupError(f"{self.model._meta.label} has no unique constraint naming its key")

    def value_fields(self) -> list[str]:
        keys = set(self.key_fields())
        return [
            f.attname
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in keys and f.attname not in keys
        ]


_rollups: dict[str, Rollup] = {}


def register(
    kind: str,
    *,
    model: type[models.Model],
    select: Callable[[list[int] | None, dict], models.QuerySet],
    sources: dict | None = None,
    slices: Callable[[], list[dict]] | None = None,
) -> None:
    """Declare the roll-up ``kind``; ``sources`` maps a base model to a function that names
    the keys one of its records counts in (``fn(instance) -> iterable of keys``: zone ids, or
    ``(zone id, {field: value})`` for a slice of the zone's rows, e.g. its month). A roll-up
    kept for some slices only (``slices()``: their ``where`` values) is recomputed slice by
    slice when a whole zone is."""
    rollup = Rollup(kind, model, select, dict(sources or {}), slices)
    _rollups[kind] = rollup
    for source in rollup.sources:
        uid = f"zoneops.rollups.{source._meta.label}"  # once per source: it serves them all
        pre_save.connect(_remember_keys, sender=source, dispatch_uid=uid + ".pre")
        post_save.connect(_saved, sender=source, dispatch_uid=uid + ".save")
        post_delete.connect(_deleted, sender=source, dispatch_uid=uid + ".delete")


def registered() -> dict[str, Rollup]:
    return dict(_rollups)


def get(kind: str) -> Rollup:
    return _rollups[kind]


def _for_source(sender) -> list[Rollup]:
    return [r for r in _rollups.values() if sender in r.sources]


# Keeping in step -----------------------------------------------------------------------------

# A key names the roll-up rows one write changes: a zone id, or (zone id, {field: value}) for
# a narrower slice of the zone (its month, its kind), recomputed alone.
Key = int | tuple[int, dict]


def _keys_of(rollup: Rollup, sender, instance) -> set[tuple[int, tuple]]:
    found = set()
    for key in rollup.sources[sender](instance):
        zone_id, where = key if isinstance(key, tuple) else (key, {})
        if zone_id is not None:
            found.add((zone_id, tuple(sorted(where.items()))))
    return found


def _remember_keys(sender, instance, raw=False, **kwargs):
    """Before an update, the keys the stored row counts in (a record moved to another zone or
    month leaves its old figures too)."""
    if raw or instance.pk is None or instance._state.adding:
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    instance._zoneops_rollup_keys = {
        rollup.kind: _keys_of(rollup, sender, stored) for rollup in _for_source(sender)
    }


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_zoneops_rollup_keys", {})
    for rollup in _for_source(sender):
        _touch_keys(rollup, _keys_of(rollup, sender, instance) | before.get(rollup.kind, set()))
    instance._zoneops_rollup_keys = {}


def _deleted(sender, instance, **kwargs):
    for rollup in _for_source(sender):
        _touch_keys(rollup, _keys_of(rollup, sender, instance))


_pending: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "zoneops_rollups_pending", default=None
)


def _touch_keys(rollup: Rollup, keys: set[tuple[int, tuple]]) -> None:
    pending = _pending.get()
    if pending is not None:
        pending.setdefault(rollup.kind, set()).update(keys)
        return
    by_where: dict[tuple, set[int]] = {}
    for zone_id, where in keys:
        by_where.setdefault(where, set()).add(zone_id)
    for where, zone_ids in sorted(by_where.items(), key=lambda item: str(item[0])):
        recompute(rollup, sorted(zone_ids), dict(where))


def touch(kind: str, *, zone_ids: Iterable[int] | None = None, **where) -> None:
    """Recompute roll-up ``kind`` for ``zone_ids`` (every zone: None), only its rows with
    ``where``'s values if given (``month=…``), in the caller's transaction. An empty set of
    zones does nothing. Inside ``batch()`` the zones are recomputed once at its end."""
    if zone_ids is None:
        recompute(get(kind), None, where)
        return
    _touch_keys(get(kind), {(z, tuple(sorted(where.items()))) for z in zone_ids})


@contextlib.contextmanager
def batch():
    """Collect the touches of every write inside the block and recompute each zone once at its
    end: a writer that saves many records one by one (the calendar moving every open deadline).
    Enter it inside the writer's transaction, so that the roll-ups change with the rows."""
    if _pending.get() is not None:  # an outer batch recomputes
        yield
        return
    pending: dict[str, set] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for kind, keys in pending.items():
        # A zone recomputed whole makes its narrower slices redundant.
        whole = {zone_id for zone_id, where in keys if not where}
        _touch_keys(get(kind), {k for k in keys if not k[1] or k[0] not in whole})


def batched(function: Callable) -> Callable:
    """``function`` run inside ``batch()``: the one-line hook of a bulk writer."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with batch():
            return function(*args, **kwargs)

    return wrapper


def touch_all(*, zone_ids: Iterable[int] | None = None) -> None:
    """Recompute every roll-up for ``zone_ids``: a writer that changes several (a bulk load)."""
    for kind in _rollups:
        touch(kind, zone_ids=zone_ids)


ALIAS = "rollup_"


def _columns(queryset: models.QuerySet) -> list[str]:
    """The roll-up fields a ``values()`` queryset's columns fill, in SQL order (fields, then
    annotations). An annotation that computes a column named like a base field (a due date
    kept only for open cases) is called ``rollup_<field>``."""
    query = queryset.query
    if getattr(query, "selected", None) is not None:  # Django ≥ 5.2 keeps values()' order
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    return [n.removeprefix(ALIAS) for n in names]


def _column_of(model, name: str) -> str:
    return model._meta.get_field(name).column


def recompute(rollup: Rollup, zone_ids: list[int] | None, where: dict | None = None) -> None:
    """Delete the roll-up rows of ``zone_ids`` (all: None) with ``where``'s values and insert
    them again with one ``INSERT … SELECT … GROUP BY`` over the base tables."""
    where = dict(where or {})
    using = router.db_for_write(rollup.model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(rollup.table)
    conditions, values = [], []
    if zone_ids is not None:
        conditions.append(f"zone_id IN ({', '.join(['%s'] * len(zone_ids))})")
        values.extend(zone_ids)
    for name, value in where.items():
        conditions.append(f"{quote(_column_of(rollup.model, name))} = %s")
        values.append(value)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _lock(cursor, connection, rollup.table, zone_ids)
        sliced = not where and rollup.slices is not None
        if sliced and connection.vendor == "postgresql":
            # The slices are read under the lock that a new slice's filling (an EXCLUSIVE
            # lock of the table) waits for: read before it, a slice added meanwhile would be
            # deleted with the zone's rows and not computed again.
            cursor.execute(f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE")
        slices = rollup.slices() if sliced else [where]
        inserts = []
        for queryset in (rollup.select(zone_ids, dict(s)).order_by() for s in slices):
            sql, params = queryset.query.get_compiler(using=using).as_sql()
            columns = ", ".join(quote(_column_of(rollup.model, n)) for n in _columns(queryset))
            inserts.append((columns, sql, params))
        if conditions:
            cursor.execute(f"DELETE FROM {table} WHERE {' AND '.join(conditions)}", values)
        else:
            cursor.execute(f"DELETE FROM {table}")
        for columns, sql, params in inserts:
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


def _lock(cursor, connection, table: str, zone_ids: list[int] | None) -> None:
    """Serialise the recomputations of a zone's rows until the transaction ends (PostgreSQL:
    two writes of one zone at once would each delete the old rows and insert the new ones, and
    the second insert would meet the first's rows). SQLite writes one transaction at a time."""
    if connection.vendor != "postgresql":
        return
    if zone_ids is None:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
        return
    space = zlib.crc32(table.encode()) - 2**31  # one lock space per roll-up (int4)
    for zone_id in sorted(zone_ids):  # always in the same order: no deadlock between zones
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, zone_id])


def rebuild(*, zone_ids: Iterable[int] | None = None, progress: Callable | None = None) -> int:
    """Recompute every roll-up for ``zone_ids`` (every zone: None): one GROUP BY pass over
    each roll-up's base tables. Answers the number of roll-up rows kept."""
    ids = None if zone_ids is None else sorted(set(zone_ids))
    kinds = list(_rollups)
    rows = 0
    for done, kind in enumerate(kinds):
        if progress is not None:
            progress(done, len(kinds))
        rollup = _rollups[kind]
        recompute(rollup, ids)
        rows += rollup.model._base_manager.count()
    if progress is not None:
        progress(len(kinds), len(kinds))
    return rows


def rebuild_after_load() -> int:
    """Fill every roll-up after a bulk load (``zoneops generate``'s after-load hook)."""
    with transaction.atomic():
        return rebuild()


# The check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    table: str
    key: dict
    kept: dict | None  # the roll-up's row (None: missing)
    computed: dict | None  # what the base tables give (None: the kept row should not be there)

    def __str__(self) -> str:
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{self.table} [{key}]: kept {self.kept}, computed {self.computed}"


def _rows(rollup: Rollup, zone_ids) -> dict[tuple, dict]:
    keys, values = rollup.key_fields(), rollup.value_fields()
    attnames = [rollup.model._meta.get_field(k).attname for k in keys]
    qs = rollup.model._base_manager.all()
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
    found = {}
    for row in qs.values(*attnames, *values).iterator(chunk_size=5000):
        found[tuple(row[a] for a in attnames)] = {v: row[v] for v in values}
    return found


class _RolledBack(Exception):
    pass


def check(*, zone_ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None):
    """Every difference between the kept roll-ups and a recomputation from scratch (done in
    a savepoint that is rolled back: the check writes nothing)."""
    ids = None if zone_ids is None else sorted(set(zone_ids))
    differences: list[Difference] = []
    for kind in kinds or list(_rollups):
        rollup = _rollups[kind]
        kept = _rows(rollup, ids)
        computed: dict = {}
        try:
            with transaction.atomic():
                recompute(rollup, ids)
                computed = _rows(rollup, ids)
                raise _RolledBack
        except _RolledBack:
            pass
        attnames = [rollup.model._meta.get_field(k).attname for k in rollup.key_fields()]
        for key in sorted(set(kept) | set(computed), key=lambda k: tuple(map(str, k))):
            if kept.get(key) != computed.get(key):
                differences.append(
                    Difference(
                        rollup.table,
                        dict(zip(attnames, key, strict=True)),
                        kept.get(key),
                        computed.get(key),
                    )
                )
    return differences
