"""Engines and the two ways to run a unit of work: `write` and `read`.

Service functions are plain synchronous functions over a SQLAlchemy `Connection`. On SQLite
writes run on one dedicated writer thread with `BEGIN IMMEDIATE`, batched into group commits
(see `_sqlite_writer`), and reads on a small thread pool. On PostgreSQL both run through
asyncpg with `AsyncConnection.run_sync`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from skranke.store import forecast as forecast_cache
from skranke.store import memo
from skranke.store._writer import SQLiteWriter
from skranke.store.events import take_pending

P = ParamSpec("P")
T = TypeVar("T")
Listener = Callable[[list[dict[str, Any]]], None]


class DatabaseURLError(ValueError):
    pass


def normalise_url(url: str) -> sa.URL:
    """Map what people write (`postgres://`, `sqlite+aiosqlite://`) to the drivers we use."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise DatabaseURLError(
            f"Expected a database URL like sqlite:///skranke.db or "
            f"postgresql://user@host/db, but got {url!r}"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseURLError(f"Expected a sqlite or postgresql URL, but got {parsed.drivername!r}")


def _sqlite_engine(url: sa.URL, *, immediate: bool, pool_size: int) -> Engine:
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below decide how transactions start.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads then writes fails at once under WAL when another
        # writer went first; IMMEDIATE takes the write lock up front and waits for it instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return _forgetting_on_rollback(engine)


def _forgetting_on_rollback(engine: Engine) -> Engine:
    # What a transaction read may include its own changes; if it rolls back, they never were.
    sa.event.listen(engine, "rollback", memo.forget)
    return engine


class Database:
    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.listeners: list[Listener] = []
        self._writer: SQLiteWriter | None = None
        self._reader: Engine | None = None
        self._async: AsyncEngine | None = None
        self._read_pool: ThreadPoolExecutor | None = None

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    def start(self) -> None:
        if self.is_sqlite:
            self._writer = SQLiteWriter(_sqlite_engine(self.url, immediate=True, pool_size=1))
            self._writer.start()
            self._reader = _sqlite_engine(self.url, immediate=False, pool_size=4)
            # One database: a forecast a reader built serves the writer's tickets too.
            forecast_cache.share_key(self._writer.engine, self._reader)
            self._read_pool = ThreadPoolExecutor(4, thread_name_prefix="skranke-db-read")
        else:
            # pre_ping: after a PostgreSQL restart stale pooled connections are replaced
            # instead of failing the next request.
            self._async = create_async_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            _forgetting_on_rollback(self._async.sync_engine)

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            self._writer.engine.dispose()
        if self._read_pool is not None:
            self._read_pool.shutdown(wait=True)
        if self._reader is not None:
            self._reader.dispose()
        if self._async is not None:
            await self._async.dispose()
        self._writer = None
        self._reader = self._async = None
        self._read_pool = None

    @property
    def async_engine(self) -> AsyncEngine:
        if self._async is None:
            raise RuntimeError("Expected a started PostgreSQL database, but it is not running")
        return self._async

    async def write(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(conn, ...)` in one write transaction; publish its events after commit."""

        def call(conn: Connection) -> T:
            return fn(conn, *args, **kwargs)

        if self.is_sqlite:
            assert self._writer is not None, "not started"
            outcome: tuple[T, list[dict[str, Any]]] = await self._writer.submit(call)
            result, events = outcome
        else:
            async with self.async_engine.begin() as conn:
                result, events = await conn.run_sync(_collect, call)
        if events:
            for listener in self.listeners:
                listener(events)
        return result

    async def read(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        def call(conn: Connection) -> T:
            return fn(conn, *args, **kwargs)

        if self.is_sqlite:
            assert self._read_pool is not None and self._reader is not None, "not started"
            loop = asyncio.get_running_loop()
            result, _ = await loop.run_in_executor(
                self._read_pool, _in_transaction, self._reader, call
            )
            return result
        async with self.async_engine.connect() as conn:
            return await conn.run_sync(call)


def _collect(conn: Connection, call: Callable[[Connection], T]) -> tuple[T, list[dict[str, Any]]]:
    try:
        result = call(conn)
    except BaseException:
        # The transaction rolls back: its events never happened, and the pooled connection
        # must not carry them into the next unit of work.
        take_pending(conn)
        raise
    return result, take_pending(conn)


def _in_transaction(
    engine: Engine, call: Callable[[Connection], T]
) -> tuple[T, list[dict[str, Any]]]:
    with engine.begin() as conn:
        result, events = _collect(conn, call)
    return result, events


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means the database is away (down, restarting, unreachable), not a bug.

    The web layer answers those with 503 and Retry-After; the pool's pre-ping replaces dead
    connections, so the next request after the database returns simply works.
    """
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, sa.exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(seen, (sa.exc.InterfaceError, sa.exc.OperationalError)):
            # asyncpg's "connection was closed in the middle of operation", SQLite's disk I/O.
            return True
        if isinstance(seen, (ConnectionError, TimeoutError)):
            return True
        if type(seen).__module__.startswith("asyncpg") and "Connection" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
