"""Figures cached until the data changes: the dashboard of a province read by fifty people.

Every SQL statement that writes a table of the data (INSERT, UPDATE, DELETE, TRUNCATE through
Django's connection, whatever wrote it: a service, ``QuerySet.update()``, the bulk writer, raw
SQL) marks its transaction; once the transaction commits, the one row of ``DataVersion`` goes
up by one. ``cached()`` keys what it keeps with that number, so a figure is computed again
after any committed write and never shows what the database no longer says.

- Reads the version before computing: the data read is at least as new as the version it is
  stored under (on a replica too: the bump follows its transaction in the WAL).
- Not used inside a transaction that has written and not yet committed: what it would compute
  holds rows that other people must not see, and its own changes would not be in the key.
- Writes that no cached figure reads do not count: a model says so with
  ``bumps_data_version = False`` (sessions, the audit trail, job progress, notifications).
- A process killed between a commit and its bump leaves the old number in place: entries
  expire after ``ZONEOPS_FIGURE_CACHE_SECONDS`` (default 600) so the gap is bounded.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import translation

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Django's own tables whose writes change no figure (logins, admin log, tokens, queued jobs).
_QUIET_APPS = frozenset({"sessions", "admin", "authtoken", "django_tasks_database"})
_WRITE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)',
    re.IGNORECASE,
)
_quiet_tables: frozenset[str] | None = None
_bumpers: dict[str, Callable[[], None]] = {}
_MISSING = object()
# The longest one process is waited for while it computes a figure others asked for too.
COMPUTE_SECONDS = 30


def cache_seconds() -> int:
    return settings.ZONEOPS_FIGURE_CACHE_SECONDS


def quiet_tables() -> frozenset[str]:
    """The tables whose writes leave the version as it is."""
    global _quiet_tables
    if _quiet_tables is None:
        from django.apps import apps

        _quiet_tables = frozenset(
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in _QUIET_APPS
            or not getattr(model, "bumps_data_version", True)
        )
    return _quiet_tables


def _bumper(alias: str) -> Callable[[], None]:
    """One function per database (``on_commit`` keeps it once per transaction by identity)."""
    if alias not in _bumpers:
        _bumpers[alias] = lambda: bump(alias)
    return _bumpers[alias]


def bump(alias: str = DEFAULT_DB_ALIAS) -> None:
    """The version goes up (after a commit, or at once outside a transaction): by one, and
    at least to the clock in microseconds, so a database restored from a backup goes on with
    numbers its earlier timeline never used."""
    from zoneops.core.db.models import DataVersion

    clock = int(time.time() * 1_000_000)
    try:
        versions = DataVersion.objects.using(alias)
        if not versions.filter(pk=1).update(version=Greatest(F("version") + 1, Value(clock))):
            versions.get_or_create(pk=1, defaults={"version": clock})
    except DatabaseError:
        # Before the table's migration (the migrations' own writes): nothing is cached yet.
        logger.debug("data version not bumped on %s", alias, exc_info=True)


def _pending(connection) -> bool:
    bumper = _bumpers.get(connection.alias)
    return bumper is not None and any(entry[1] is bumper for entry in connection.run_on_commit)


def changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Note a write to the data on ``using``: the version goes up once its transaction commits.
    The execute wrapper calls it; a writer that bypasses Django's cursor (COPY) calls it too."""
    connection = connections[using]
    if connection.in_atomic_block:
        if not _pending(connection):
            connection.on_commit(_bumper(using))
    else:
        bump(using)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql[:12].lstrip()[:1] in "IUDTiudt":
        match = _WRITE.match(sql)
        if match and match.group(1) not in quiet_tables():
            changed(context["connection"].alias)
    return result


def install(connection, **kwargs) -> None:
    """``connection_created`` receiver: every connection of every process watches its writes."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def forget(**kwargs) -> None:
    """``post_migrate`` receiver (core): after an upgrade or a flush nothing kept before is
    served (this host's cache; other hosts' entries are keyed on numbers no longer used)."""
    cache.clear()


def current() -> int | None:
    """The version the reads here would see; None where nothing may be cached (this
    transaction wrote and has not committed)."""
    from zoneops.core.db.models import DataVersion

    if _pending(connections[DEFAULT_DB_ALIAS]):
        return None
    alias = router.db_for_read(DataVersion)
    if alias != DEFAULT_DB_ALIAS and _pending(connections[alias]):
        return None
    return DataVersion.objects.using(alias).filter(pk=1).values_list("version", flat=True).first()


def query_key(queryset) -> tuple:
    """What a queryset reads, for a key: its model and its SQL with the parameters (the
    reader's zones and filters are in them). A query that can match nothing has no SQL."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        sql, params = "", ()
    return queryset.model._meta.label, sql, tuple(params)


def entry_key(name: str, parts: tuple, version: int) -> str:
    """The cache key of a figure: its name, the data version, and a digest of what else it
    depends on, with the language its words are in."""
    digest = hashlib.sha256(repr((parts, translation.get_language())).encode()).hexdigest()
    return f"zoneops:{name}:{version}:{digest[:32]}"


def cached(name: str, key: Callable[[], tuple], compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``name`` and ``key()`` (with the language) until the data
    changes. The key must hold everything the result depends on besides the data: the zones,
    the period, today's date where overdue counts are in it (a function: it is worked out
    only when the cache may be used)."""
    version = current()
    if version is None:
        return compute()
    cache_key = entry_key(name, key(), version)
    found = _get(cache_key)
    if found is not _MISSING:
        return found
    # One process works it out; the others arriving meanwhile wait for its result (fifty
    # readers of a province after a write would otherwise each compute it, all slower).
    computing = f"{cache_key}:computing"
    if not cache.add(computing, 1, COMPUTE_SECONDS):
        found = _wait_for(cache_key, computing)
        if found is not _MISSING:
            return found
    try:
        value = compute()
        cache.set(cache_key, value, cache_seconds())
    finally:
        cache.delete(computing)
    return value


def _get(cache_key: str):
    try:
        return cache.get(cache_key, _MISSING)
    except Exception:  # noqa: BLE001  an entry the code before an upgrade kept: computed again
        return _MISSING


def _wait_for(cache_key: str, computing: str):
    """The value another process is computing, once it is kept; _MISSING if it gave up or
    failed (then this one computes it)."""
    deadline = time.monotonic() + COMPUTE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        found = _get(cache_key)
        if found is not _MISSING or not cache.get(computing):
            return found
    return _MISSING
