"""Loading synthetic data inside PostgreSQL (``zoneops generate`` at province scale).

Python builds rows at about 0.3 ms each; a province is 72 million monthly figures, 5 million
appeals with their loop cases and events. Here rows are made by the database itself:
``INSERT … SELECT`` over ``generate_series``, with values drawn from a hash of the row number
and the seed (``hashint8extended``: the same options and seed give the same rows, nothing
depends on ``random()``).

- ``Loader`` holds the session's helpers: the deterministic draws (``u(n, salt)`` in [0, 1),
  as temporary functions in ``pg_temp``, so the schema is not touched), the working-day
  calendar as temporary tables (``zo_cal``: day → working days up to it; ``zo_wday``: the
  n-th working day), ids given from the table's highest, and progress lines.
- ``deferred_indexes`` drops the secondary indexes, unique and foreign-key constraints of the
  big tables before the load and recreates them after it from their own definitions
  (``pg_get_indexdef``/``pg_get_constraintdef``): the schema ends exactly as migrations made it.
- Every step commits (unless the caller holds a transaction): no 72-million-row transaction.
"""

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, models

from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import workflows as loop

# Hashes are taken of ``row * SALTS + salt``: up to this many independent draws per row.
SALTS = 64
# Connections loading at once (the machine's cores; the database does the work).
WORKERS = 2
# Memory for each index build (sorts) on the server.
MAINTENANCE_MEMORY = "1GB"


def available() -> bool:
    """Whether the database can generate the rows itself."""
    return connection.vendor == "postgresql"


def sql_text(value: str) -> str:
    """A string literal (for values built into statements, never user input)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Progress:
    """Prints a line per step: rows, rows/s, the step's seconds, elapsed, and % of the whole."""

    stdout: object
    total_rows: int = 0
    done_rows: int = 0
    started: float = field(default_factory=time.perf_counter)

    def expect(self, rows: int) -> None:
        self.total_rows += max(0, rows)

    def line(self, text: str) -> None:
        self.stdout.write(text)
        flush = getattr(self.stdout, "flush", None)
        if flush:
            flush()

    def step(self, name: str, rows: int, seconds: float, *, counted: bool = True) -> None:
        if counted:
            self.done_rows += rows
        share = (
            f"{min(100.0, 100 * self.done_rows / self.total_rows):5.1f}%"
            if self.total_rows
            else "  -  "
        )
        rate = rows / seconds if seconds > 0 else 0
        self.line(
            f"[{share}] {name}: {rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s), "
            f"elapsed {time.perf_counter() - self.started:.0f} s"
        )


class Loader:
    """One generation session on PostgreSQL: the draws, the calendar, ids and progress."""

    def __init__(self, seed: int, progress: Progress):
        self.seed = seed
        self.progress = progress
        self._calendar: tuple[dt.date, dt.date] | None = None

    # Draws, as SQL expressions (inlined: statements run on other connections in parallel) ----

    def u(self, n: str, salt: int | str) -> str:
        """A uniform draw in [0, 1) for row ``n`` (an SQL expression) and ``salt``."""
        return (
            f"((hashint8extended(({n}) * {SALTS} + ({salt}), {int(self.seed)}) "
            "& 9007199254740991)::float8 / 9007199254740992.0)"
        )

    def i(self, n: str, salt: int | str, lo: int | str, hi: int | str) -> str:
        """An integer in [lo, hi], each as likely."""
        return f"(({lo}) + floor({self.u(n, salt)} * (({hi}) - ({lo}) + 1))::int)"

    def normal(self, n: str, salt: int) -> str:
        """A standard normal draw (Box–Muller over the draws ``salt`` and ``salt + 1``)."""
        return f"(sqrt(-2 * ln(1 - {self.u(n, salt)})) * cos(2 * pi() * {self.u(n, salt + 1)}))"

    def pick(self, n: str, salt: int, choices: Sequence[str]) -> str:
        """One of ``choices`` (plain words), each as likely."""
        words = ", ".join(sql_text(choice) for choice in choices)
        return f"(ARRAY[{words}])[1 + floor({self.u(n, salt)} * {len(choices)})::int]"

    # Statements -------------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence | None = None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def step(self, name: str, sql: str, params: Sequence | None = None, *, counted=True) -> int:
        """Run one statement (committed on its own unless a transaction is held) and report it."""
        started = time.perf_counter()
        rows = self.execute(sql, params)
        self.progress.step(name, max(rows, 0), time.perf_counter() - started, counted=counted)
        return rows

    def parallel(self, name: str, statements: Sequence[tuple[str, Sequence | dict]]) -> int:
        """Run independent statements on ``WORKERS`` connections at once, each committed on its
        own (a chunk of rows each); report each as it ends. Inside a transaction (tests) they
        run one after the other on this connection instead."""
        if connection.in_atomic_block or WORKERS < 2 or len(statements) < 2:
            return sum(self.step(name, sql, params) for sql, params in statements)
        settings = connection.settings_dict

        def run(statement):
            from django.db import connections

            started = time.perf_counter()
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute(*statement)
                    rows = cursor.rowcount
            finally:
                connections["default"].close()
            return rows, time.perf_counter() - started

        assert settings  # the same database, one connection per thread
        total = 0
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for rows, seconds in pool.map(run, statements):
                total += rows
                self.progress.step(name, rows, seconds)
        return total

    def chunks(self, count: int, size: int) -> Iterator[tuple[int, int]]:
        """``(first, last)`` row numbers (0-based, inclusive) in chunks of ``size``."""
        for first in range(0, count, size):
            yield first, min(count, first + size) - 1

    def next_id(self, model: type[models.Model]) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            return cursor.fetchone()[0]

    def reset_sequence(self, model: type[models.Model]) -> None:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 1), "
                f"(SELECT MAX(id) IS NOT NULL FROM {connection.ops.quote_name(table)}))",
                [table],
            )

    def temp_table(self, name: str, columns: str, rows: Iterable[Sequence]) -> None:
        """A temporary table of a few thousand rows made in Python (zones, choices, days)."""
        rows = list(rows)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
            cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
            if rows:
                width = len(rows[0])
                marks = "(" + ", ".join(["%s"] * width) + ")"
                for start in range(0, len(rows), 1000):
                    part = rows[start : start + 1000]
                    cursor.execute(
                        f"INSERT INTO pg_temp.{name} VALUES " + ", ".join([marks] * len(part)),
                        [value for row in part for value in row],
                    )
            cursor.execute(f"ANALYZE pg_temp.{name}")

    # The working-day calendar -----------------------------------------------------------------

    def calendar(self, first: dt.date, last: dt.date) -> None:
        """``zo_cal(day, cum)`` and ``zo_wday(cum, day)`` covering ``first`` … ``last``.

        ``cum`` counts working days up to and including ``day`` from the day before ``first``;
        so ``add_working_days(d, k)`` is the ``zo_wday`` of ``cum(d) + k`` and
        ``working_days_between(a, b)`` is ``cum(b) - cum(a)``, as the calendar computes them.
        """
        if self._calendar and self._calendar[0] <= first and self._calendar[1] >= last:
            return
        if self._calendar:
            first, last = min(first, self._calendar[0]), max(last, self._calendar[1])
        rows, cum, day = [], 0, first - dt.timedelta(days=1)
        while day <= last:
            if day >= first and calendar.is_working_day(day):
                cum += 1
            rows.append((day, cum))
            day += dt.timedelta(days=1)
        self.temp_table("zo_cal", "day date PRIMARY KEY, cum int NOT NULL", rows)
        wdays = {}
        for day, cum in rows:
            wdays.setdefault(cum, day)
        self.temp_table(
            "zo_wday", "cum int PRIMARY KEY, day date NOT NULL", sorted(wdays.items())[1:]
        )
        self._calendar = (first, last)

    def escalation_levels(self, name: str, workflow, first: dt.date, last: dt.date, today):
        """``name(due, level)``: the level ``zoneops tick`` gives on ``today`` per due date."""
        rows, day = [], first
        while day <= last:
            rows.append((day, loop.escalation_level(workflow, day, today)))
            day += dt.timedelta(days=1)
        self.temp_table(name, "due date PRIMARY KEY, level smallint NOT NULL", rows)


# Indexes and constraints built after the load --------------------------------------------------


@dataclass(frozen=True)
class Definition:
    table: str
    kind: str  # "index", "unique", "foreign"
    name: str
    sql: str  # CREATE INDEX … or the constraint's definition

    def drop(self) -> str:
        if self.kind == "index":
            return f'DROP INDEX "{self.name}"'
        return f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{self.name}"'

    def create(self) -> list[str]:
        if self.kind == "index":
            return [self.sql]
        if self.kind == "foreign":
            # Added unchecked, then checked in one scan (the schema ends validated, as it was).
            return [
                f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{self.name}" {self.sql} NOT VALID',
                f'ALTER TABLE "{self.table}" VALIDATE CONSTRAINT "{self.name}"',
            ]
        return [f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{self.name}" {self.sql}']


def schema_of(tables: Iterable[str]) -> list[Definition]:
    """The secondary indexes, unique and foreign-key constraints of ``tables`` (not the
    primary keys nor check constraints, which cost nothing to keep during a load)."""
    tables = sorted(set(tables))
    found: list[Definition] = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.contype, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
            ORDER BY 1, 3
            """,
            [tables],
        )
        for table, kind, name, definition in cursor.fetchall():
            found.append(
                Definition(
                    table.strip('"'), "unique" if kind == "u" else "foreign", name, definition
                )
            )
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                              AND c.conrelid = x.indrelid)
            ORDER BY 1, 2
            """,
            [tables],
        )
        for table, name, definition in cursor.fetchall():
            found.append(Definition(table, "index", name, definition))
    return found


def referencing(tables: Iterable[str]) -> list[str]:
    """Tables with foreign keys into ``tables`` (their constraints must go first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[])",
            [sorted(set(tables))],
        )
        return [row[0].strip('"') for row in cursor.fetchall()]


@contextmanager
def deferred_indexes(tables: Iterable[str], progress: Progress) -> Iterator[list[Definition]]:
    """Drop the tables' secondary indexes and unique/foreign-key constraints, run the load,
    recreate them from their definitions (also after a failure), and ANALYZE the tables."""
    tables = sorted(set(tables))
    # Foreign keys of other tables pointing at these rely on their unique indexes: keep those
    # tables' constraints out of the way too (only their foreign keys into ``tables``).
    definitions = schema_of(tables)
    outside = [t for t in referencing(tables) if t not in tables]
    if outside:
        definitions += [
            d for d in schema_of(outside) if d.kind == "foreign" and _references(d.sql, tables)
        ]
    started = time.perf_counter()
    order = {"foreign": 0, "unique": 1, "index": 2}
    with connection.cursor() as cursor:
        # Inside a transaction: check the rows written so far now (no pending trigger events).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in sorted(definitions, key=lambda d: order[d.kind]):
            cursor.execute(definition.drop())
    progress.step(
        f"dropped {len(definitions)} indexes and constraints", 0, time.perf_counter() - started
    )
    try:
        yield definitions
    finally:
        restore(definitions, tables, progress)


def _references(definition: str, tables: Sequence[str]) -> bool:
    target = definition.split("REFERENCES", 1)[1].split("(", 1)[0].strip().strip('"')
    return target in tables


def restore(definitions: list[Definition], tables: Sequence[str], progress: Progress) -> None:
    """Build the indexes and unique constraints (two at a time on their own connections,
    biggest tables first), then the foreign keys, then ANALYZE."""
    from django.db import connections

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    sizes = _table_sizes(tables)
    order = {"index": 0, "unique": 1, "foreign": 2}
    ordered = sorted(
        definitions, key=lambda d: (order[d.kind], -sizes.get(d.table, 0), d.table, d.name)
    )

    def build(definition: Definition, cursor) -> None:
        started = time.perf_counter()
        for statement in definition.create():
            cursor.execute(statement)
        seconds = time.perf_counter() - started
        if seconds >= 1:
            progress.step(f"rebuilt {definition.kind} {definition.name}", 0, seconds)

    def build_apart(definition: Definition) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_MEMORY}'")
                build(definition, cursor)
        finally:
            connections["default"].close()

    # Indexes and unique constraints (each locks its own table only), then the foreign keys:
    # added unchecked one after the other (a moment each), then checked two at a time
    # (VALIDATE locks the referenced table only in ROW SHARE mode).
    indexes = [d for d in ordered if d.kind != "foreign"]
    foreign = [d for d in ordered if d.kind == "foreign"]
    apart = not connection.in_atomic_block and WORKERS > 1
    if apart:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(build_apart, indexes))
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_MEMORY}'")
        if not apart:
            for definition in indexes + foreign:
                build(definition, cursor)
        else:
            for definition in foreign:
                cursor.execute(definition.create()[0])

    def validate(definition: Definition) -> None:
        try:
            with connections["default"].cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(definition.create()[1])
                seconds = time.perf_counter() - started
                if seconds >= 1:
                    progress.step(f"checked foreign key {definition.name}", 0, seconds)
        finally:
            connections["default"].close()

    if apart:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(validate, foreign))
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
        cursor.execute("RESET maintenance_work_mem")
    progress.step(f"analyzed {len(tables)} tables", 0, time.perf_counter() - started)


def _table_sizes(tables: Sequence[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [list(tables)],
        )
        return dict(cursor.fetchall())


@dataclass
class WorkingDays:
    """The calendar as arrays for statements run on any connection: ``add(day, k)`` and
    ``between(a, b)`` as SQL expressions over ``%(cal_cum)s``/``%(cal_day)s`` parameters,
    computed as ``zoneops.core.calendar.workdays`` computes them (it is asked once a day)."""

    first: dt.date
    last: dt.date
    cum: list[int] = field(default_factory=list)
    days: list[dt.date] = field(default_factory=list)

    def __post_init__(self):
        # cum[i]: working days in (first - 1, first + i]; days[c - 1]: the c-th working day.
        count, day = 0, self.first
        while day <= self.last:
            if calendar.is_working_day(day):
                count += 1
                self.days.append(day)
            self.cum.append(count)
            day += dt.timedelta(days=1)
        self.cum.insert(0, 0)  # the day before ``first``

    def params(self) -> dict:
        return {"cal_first": self.first, "cal_cum": self.cum, "cal_day": self.days}

    def cum_of(self, day: str) -> str:
        return f"(%(cal_cum)s::int[])[({day}) - %(cal_first)s::date + 2]"

    def add(self, day: str, k: str | int) -> str:
        """The ``k``-th working day after ``day`` (``day`` itself not counted), k ≥ 1."""
        return f"(%(cal_day)s::date[])[{self.cum_of(day)} + ({k})]"

    def between(self, start: str, end: str) -> str:
        return f"({self.cum_of(end)} - {self.cum_of(start)})"


def escalation_levels(workflow, first: dt.date, last: dt.date, today: dt.date) -> list[int]:
    """The level ``zoneops tick`` gives on ``today`` to a case due on each day first … last."""
    levels, day = [], first
    while day <= last:
        levels.append(int(loop.escalation_level(workflow, day, today)))
        day += dt.timedelta(days=1)
    return levels
