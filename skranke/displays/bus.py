"""The event bus: committed events reach the hub of every server process.

One process (SQLite, the default) needs nothing but the database runner's listener hook.
Several processes share PostgreSQL: every event row is also sent with `pg_notify` inside its
transaction (see `skranke.store.events.record`), and each process LISTENs on a dedicated
connection outside the pool (`skranke.store.listen`). Nothing here is home-made that
PostgreSQL already does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from typing import Any, Protocol

from skranke.store.engine import Database
from skranke.store.listen import listen

log = logging.getLogger(__name__)
Deliver = Callable[[list[dict[str, Any]]], None]
# The listener checks its connection this often; a silent half-open TCP connection would
# otherwise go unnoticed until the next notification that never comes.
HEALTH_CHECK_SECONDS = 10.0
FIRST_RETRY_SECONDS = 0.5
# Calls made while the listener is away never reach the wall, so it tries again often: a
# database back from a restart is heard from within this long (plus the connect itself).
MAX_RETRY_SECONDS = 2.0


class Bus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryBus:
    """Events of this process go straight to its hub after each commit."""

    def __init__(self, db: Database, deliver: Deliver) -> None:
        self.db, self.deliver = db, deliver

    async def start(self) -> None:
        self.db.listeners.append(self.deliver)

    async def stop(self) -> None:
        if self.deliver in self.db.listeners:
            self.db.listeners.remove(self.deliver)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry `attempt` (0-based): doubling, capped, with jitter."""
    base = min(FIRST_RETRY_SECONDS * 2.0**attempt, MAX_RETRY_SECONDS)
    # Jitter spreads the reconnects of many workers after a database restart.
    return base * random.uniform(0.5, 1.0)


class PostgresBus:
    """LISTEN on a dedicated asyncpg connection; reconnects with backoff, then resyncs.

    Notifications sent while the listener was away are lost, so after every reconnect
    `on_reconnect` runs: the hub sends every client a fresh snapshot.
    """

    def __init__(self, dsn: str, deliver: Deliver, on_reconnect: Callable[[], None]) -> None:
        self.dsn, self.deliver, self.on_reconnect = dsn, deliver, on_reconnect
        self.connected = asyncio.Event()
        self.connects = 0
        # The listener's server process id: what an operator sees in pg_stat_activity.
        self.backend_pid: int | None = None
        self.health_check_seconds = HEALTH_CHECK_SECONDS
        self._task: asyncio.Task[None] | None = None
        self._batch: list[dict[str, Any]] = []
        self._failures = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="skranke-pg-listener")
        try:
            # Usually instant; a database that is down must not keep the server from starting.
            await asyncio.wait_for(self.connected.wait(), timeout=5)
        except TimeoutError:
            log.warning("Event listener not connected yet; retrying in the background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await listen(
                    self.dsn, self._on_payload, self._on_connected, self.health_check_seconds
                )
            except asyncio.CancelledError:
                self.connected.clear()
                raise
            except Exception as exc:
                self.connected.clear()
                # Counted from the last success: one lost connection starts again at the
                # first, short delay instead of where an earlier outage left off.
                delay = backoff(self._failures)
                self._failures += 1
                log.warning("Event listener lost (%s); reconnecting in %.1f s", exc, delay)
                await asyncio.sleep(delay)

    def _on_connected(self, backend_pid: int) -> None:
        self.backend_pid = backend_pid
        self._failures = 0
        self.connected.set()
        self.connects += 1
        if self.connects > 1:
            self.on_reconnect()

    def _on_payload(self, payload: str) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            log.warning("Ignoring a malformed event notification")
            return
        if not self._batch:
            # Notices of one transaction arrive together: hand them over as one batch.
            asyncio.get_running_loop().call_soon(self._flush)
        self._batch.append(event)

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        self.deliver(batch)


def bus_for(db: Database, deliver: Deliver, on_reconnect: Callable[[], None]) -> Bus:
    if db.is_sqlite:
        return MemoryBus(db, deliver)
    dsn = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresBus(dsn, deliver, on_reconnect)
