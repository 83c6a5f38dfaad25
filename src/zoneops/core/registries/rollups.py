"""Roll-ups (summary tables): a few hundred rows the dashboard and the dispatch pack read
instead of millions of base rows, kept in step with the base tables in the same transaction
as every write.

An app declares a roll-up from its ``AppConfig.ready()`` (core imports no app)::

    rollups.register(
        "appeals",                   # the roll-up's kind
        model=AppealRollup,          # its table: key columns and figures
        select=appeal_rows,          # select(zone_ids) -> a values() queryset, one row per key
        sources={Appeal: zones_of},  # base models whose saves and deletes touch it
    )

``select(zone_ids)`` returns the GROUP BY queryset that computes the roll-up rows of those
zones (every zone with ``None``) from the base tables, its columns named as the roll-up
model's fields (an annotation whose name a base field takes is called ``rollup_<field>``).
Recomputing a set of zones is one DELETE of their rows and one ``INSERT … SELECT … GROUP BY``
(``recompute``): no row is read into Python.

Keeping it in step:

- ``touch(kind, zone_ids=…)``: recompute those zones now, inside the caller's transaction.
  Bulk writers (the tick, imports, generation) call it once per batch.
- every save and delete of a source model, single-object writes through the services or the
  generic ``writes.save``/``delete`` alike, touches the zones its ``sources`` function names
  (the zone before and after the write) through Django's model signals, in the same
  transaction as the write.

``check()`` recomputes every roll-up from scratch inside a savepoint that is rolled back and
answers the differences with the kept rows (``zoneops rollups --check``); ``rebuild()``
recomputes every zone (or some) of every roll-up: one GROUP BY pass per roll-up, what
``zoneops generate`` calls after loading (``rebuild_after_load``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connections, models, router, transaction
from django.db.models.signals import post_delete, post_save, pre_save


@dataclass(frozen=True)
class Rollup:
    kind: str
    model: type[models.Model]
    select: Callable[[list[int] | None], models.QuerySet]
    sources: dict = field(default_factory=dict)

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
    select: Callable[[list[int] | None], models.QuerySet],
    sources: dict | None = None,
) -> None:
    """Declare the roll-up ``kind``; ``sources`` maps a base model to a function that names
    the zone ids one of its records counts in (``fn(instance) -> iterable of zone ids``)."""
    rollup = Rollup(kind, model, select, dict(sources or {}))
    _rollups[kind] = rollup
    for source in rollup.sources:
        uid = f"zoneops.rollups.{source._meta.label}"  # once per source: it serves them all
        pre_save.connect(_remember_zones, sender=source, dispatch_uid=uid + ".pre")
        post_save.connect(_saved, sender=source, dispatch_uid=uid + ".save")
        post_delete.connect(_deleted, sender=source, dispatch_uid=uid + ".delete")


def registered() -> dict[str, Rollup]:
    return dict(_rollups)


def get(kind: str) -> Rollup:
    return _rollups[kind]


def _for_source(sender) -> list[Rollup]:
    return [r for r in _rollups.values() if sender in r.sources]


# Keeping in step -----------------------------------------------------------------------------


def _zones_of(rollup: Rollup, sender, instance) -> set[int]:
    return {z for z in rollup.sources[sender](instance) if z is not None}


def _remember_zones(sender, instance, raw=False, **kwargs):
    """Before an update, the zones the stored row counts in (a record moved to another zone
    leaves its old zone's figures too)."""
    if raw or instance.pk is None or instance._state.adding:
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    instance._zoneops_rollup_zones = {
        rollup.kind: _zones_of(rollup, sender, stored) for rollup in _for_source(sender)
    }


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_zoneops_rollup_zones", {})
    for rollup in _for_source(sender):
        zones = _zones_of(rollup, sender, instance) | before.get(rollup.kind, set())
        touch(rollup.kind, zone_ids=zones)
    instance._zoneops_rollup_zones = {}


def _deleted(sender, instance, **kwargs):
    for rollup in _for_source(sender):
        touch(rollup.kind, zone_ids=_zones_of(rollup, sender, instance))


def touch(kind: str, *, zone_ids: Iterable[int] | None = None) -> None:
    """Recompute roll-up ``kind`` for ``zone_ids`` (every zone: None), in the caller's
    transaction. An empty set does nothing."""
    ids = None if zone_ids is None else sorted(set(zone_ids))
    if ids is not None and not ids:
        return
    recompute(get(kind), ids)


def touch_all(*, zone_ids: Iterable[int] | None = None) -> None:
    """Recompute every roll-up for ``zone_ids``: a writer that changes several (the tick,
    a bulk load)."""
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


def recompute(rollup: Rollup, zone_ids: list[int] | None) -> None:
    """Delete the roll-up rows of ``zone_ids`` (all: None) and insert them again with one
    ``INSERT … SELECT … GROUP BY`` over the base tables."""
    queryset = rollup.select(zone_ids).order_by()
    using = router.db_for_write(rollup.model)
    names = _columns(queryset)
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    columns = ", ".join(
        connections[using].ops.quote_name(_column_of(rollup.model, n)) for n in names
    )
    table = connections[using].ops.quote_name(rollup.table)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if zone_ids is None:
            cursor.execute(f"DELETE FROM {table}")
        else:
            marks = ", ".join(["%s"] * len(zone_ids))
            cursor.execute(f"DELETE FROM {table} WHERE zone_id IN ({marks})", zone_ids)
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


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
