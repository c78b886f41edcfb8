"""A throwaway database for the day simulator: SQLite in memory, the real tables, one thread.

The simulator drives the real use cases one at a time on a virtual clock, so it needs neither
the writer thread nor durability: each use case runs in its own transaction on one
connection, exactly as `Database.write` would run it, and its events are dropped (nobody
listens).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from skranke.store import memo
from skranke.store.events import take_pending
from skranke.store.tables import metadata

P = ParamSpec("P")
T = TypeVar("T")


class Scratch:
    def __init__(self) -> None:
        self.engine: Engine = sa.create_engine(
            "sqlite://",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )

        @sa.event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @sa.event.listens_for(self.engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        sa.event.listen(self.engine, "rollback", memo.forget)
        metadata.create_all(self.engine)

    def run(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(conn, ...)` in one transaction, like `Database.write`."""
        with self.engine.begin() as conn:
            try:
                return fn(conn, *args, **kwargs)
            finally:
                take_pending(conn)

    def close(self) -> None:
        self.engine.dispose()
