"""Hot-path statements compiled once and run on SQLite's own cursor.

On SQLite one writer thread runs every write, so what it spends per ticket bounds tickets per
second. SQLAlchemy spends about 30 µs of Python on every `Connection.execute` (cache key,
execution context, parameter and result set-up) for a statement SQLite runs in a few, and
every call into SQLite lets go of the GIL, which the writer then has to win back from the
event loop. A `Prepared` statement is still written once in SQLAlchemy Core; on SQLite it is
compiled once and run on the DBAPI cursor with the types' own bind and result processors, so
values go in and come out exactly as through SQLAlchemy. An INSERT that returns only its
integer primary key reads `lastrowid` instead, which saves SQLite a step and the writer a trip
for the GIL. On other databases (PostgreSQL through asyncpg) it runs through
`Connection.execute` unchanged.
"""

from __future__ import annotations

import copy
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

Processor = Callable[[Any], Any] | None
# A result row: SQLAlchemy's `Row`, or on SQLite a named tuple with the same column names.
Record = Any


class _Default:
    """A column's Python-side default (a SQLModel field default), computed per execution."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn


class _Compiled:
    """One statement compiled for SQLite, for one set of inserted column names."""

    def __init__(self, stmt: Any, dialect: Dialect, column_keys: Sequence[str] | None) -> None:
        rowid = _returns_only_rowid(stmt, dialect)
        compiled = (_without_returning(stmt) if rowid else stmt).compile(
            dialect=dialect, column_keys=column_keys
        )
        self.sql = str(compiled)
        self.rowid = rowid
        names: list[str] = list(compiled.positiontup or ())
        # Per position: the parameter to take, or the value when the caller gives none.
        self.sources: list[tuple[str, Any]] = []
        self.required = frozenset(n for n in names if compiled.binds[n].required)
        self.processing: list[tuple[int, Callable[[Any], Any]]] = []
        defaults = {c.key: _default_of(c) for c in compiled.insert_prefetch}
        for at, name in enumerate(names):
            bind = compiled.binds[name]
            if bind.callable is not None:
                raise ValueError(f"Bind parameter {name!r} has a callable value; not supported")
            self.sources.append((name, defaults.get(name, bind.value)))
            process = _processor("bind", bind.type, dialect)
            if process is not None:
                self.processing.append((at, process))
        self.computed = [at for at, (_, v) in enumerate(self.sources) if isinstance(v, _Default)]
        columns = [] if rowid else list(stmt.exported_columns) if _gives_rows(stmt) else []
        self.result = [_processor("result", c.type, dialect) for c in columns]
        self.processed = any(p is not None for p in self.result)
        names = [c.key for c in columns]
        self.row: Any = namedtuple("Row", names, rename=True) if names else None

    def params(self, given: Mapping[str, Any]) -> list[Any]:
        missing = self.required - given.keys()
        if missing:
            raise sa.exc.ArgumentError(f"Expected values for bind parameters {sorted(missing)}")
        values = [given.get(name, fixed) for name, fixed in self.sources]
        for at in self.computed:
            if isinstance(values[at], _Default):
                values[at] = values[at].fn(None)
        for at, process in self.processing:
            values[at] = process(values[at])
        return values

    def run(self, driver: sqlite3.Connection, values: list[Any]) -> list[Record]:
        cursor = driver.execute(self.sql, values)
        if self.rowid:
            if cursor.rowcount > 1:
                raise sa.exc.InvalidRequestError("Expected at most one inserted row")
            return [(cursor.lastrowid,)] if cursor.rowcount == 1 else []
        if self.row is None:
            return []
        raw = cursor.fetchall()
        if self.processed:
            processors = self.result
            raw = [
                tuple(v if p is None else p(v) for p, v in zip(processors, r, strict=True))
                for r in raw
            ]
        make = self.row._make
        return [make(r) for r in raw]


def _default_of(column: Any) -> Any:
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        raise ValueError(f"Column {column.key!r} has a default we cannot compute")
    return default.arg if default.is_scalar else _Default(default.arg)


def _gives_rows(stmt: Any) -> bool:
    return bool(stmt.is_select or list(stmt.exported_columns))


def _returns_only_rowid(stmt: Any, dialect: Dialect) -> bool:
    """An INSERT whose RETURNING is just its table's rowid: its one-column primary key of
    type exactly INTEGER (a BIGINT key is a column of its own in SQLite, not the rowid)."""
    if not isinstance(stmt, sa.Insert):
        return False
    returning = list(stmt.exported_columns)
    key = list(stmt.table.primary_key)
    return (
        len(returning) == 1
        and len(key) == 1
        and returning[0] is key[0]
        and key[0].type.compile(dialect=dialect) == "INTEGER"
    )


def _without_returning(stmt: Any) -> Any:
    # SQLAlchemy has no public way to drop RETURNING. This and the compiler's `positiontup`,
    # `binds` and `insert_prefetch` are why pyproject pins sqlalchemy to the minor line we
    # tested; tests/integration/test_prepared.py fails loudly when they change.
    plain = copy.copy(stmt)
    plain._returning = ()
    return plain


def _processor(kind: str, type_: Any, dialect: Dialect) -> Processor:
    impl = type_.dialect_impl(dialect)
    found: Processor = (
        impl.bind_processor(dialect) if kind == "bind" else impl.result_processor(dialect, None)
    )
    return found


class Prepared:
    """A Core statement that runs without SQLAlchemy's per-call overhead on SQLite.

    Rows come back as named tuples on SQLite and as SQLAlchemy `Row`s elsewhere; both allow
    attribute access, indexing and unpacking, which is all callers use.
    """

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._values_insert = isinstance(stmt, sa.Insert) and stmt.select is None
        self._compiled: dict[frozenset[str] | None, _Compiled] = {}

    def _for(self, dialect: Dialect, params: Mapping[str, Any]) -> _Compiled:
        # An INSERT's SQL names the columns given, so each set of keys compiles once.
        key = frozenset(params) if self._values_insert else None
        compiled = self._compiled.get(key)
        if compiled is None:
            keys = sorted(params) if self._values_insert else None
            compiled = self._compiled[key] = _Compiled(self.stmt, dialect, keys)
        return compiled

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[Record]:
        # Outside a begun transaction SQLAlchemy's autobegin must run, so let it.
        if conn.dialect.name != "sqlite" or not conn.in_transaction():
            return list(conn.execute(self.stmt, params))
        compiled = self._for(conn.dialect, params)
        values = compiled.params(params)
        driver = conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        try:
            return compiled.run(driver, values)
        except sqlite3.Error as exc:
            # The same exception classes as through SQLAlchemy (IntegrityError, ...).
            raise sa.exc.DBAPIError.instance(
                compiled.sql, values, exc, sqlite3.Error, dialect=conn.dialect
            ) from exc

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Record | None:
        rows = self.all(conn, params)
        return rows[0] if rows else None

    def one(self, conn: Connection, params: Mapping[str, Any]) -> Record:
        rows = self.all(conn, params)
        if len(rows) != 1:
            raise sa.exc.NoResultFound() if not rows else sa.exc.MultipleResultsFound()
        return rows[0]

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        rows = self.all(conn, params)
        return rows[0][0] if rows else None
