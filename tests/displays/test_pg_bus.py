"""PostgreSQL LISTEN/NOTIFY: committed events reach every listener; a lost listener comes back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import Connection

from skranke.displays.bus import PostgresBus, bus_for
from skranke.store.engine import Database
from skranke.store.events import record
from skranke.store.tables import branch_t
from tests.conftest import run_async

pytestmark = pytest.mark.postgres


def note(conn: Connection, kind: str, fail: bool = False) -> None:
    branch_id = conn.execute(branch_t.insert().values(key=kind, name=kind)).inserted_primary_key
    record(conn, kind, datetime.now(UTC), branch_id=branch_id[0])
    if fail:
        raise RuntimeError("roll back")


async def wait_for(condition: Any, within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def test_only_committed_events_reach_the_listener(postgres_db: str) -> None:
    async def scenario() -> list[str]:
        db = Database(postgres_db)
        db.start()
        seen: list[dict[str, Any]] = []
        bus = bus_for(db, seen.extend, lambda: None)
        assert isinstance(bus, PostgresBus)
        await bus.start()
        try:
            with pytest.raises(RuntimeError):
                await db.write(note, "rolled.back", fail=True)
            await db.write(note, "committed")
            await wait_for(lambda: bool(seen))
            await asyncio.sleep(0.1)
        finally:
            await bus.stop()
            await db.stop()
        return [event["type"] for event in seen]

    assert run_async(scenario()) == ["committed"]


def test_a_killed_listener_reconnects_and_asks_for_a_resync(postgres_db: str) -> None:
    async def scenario() -> tuple[int, list[str]]:
        db = Database(postgres_db)
        db.start()
        seen: list[dict[str, Any]] = []
        resyncs: list[int] = []
        bus = PostgresBus(postgres_db, seen.extend, lambda: resyncs.append(1))
        bus.health_check_seconds = 0.2
        await bus.start()
        try:
            admin = await asyncpg.connect(postgres_db)
            await admin.execute("SELECT pg_terminate_backend($1)", bus.backend_pid)
            await admin.close()
            await wait_for(lambda: bool(resyncs))
            await db.write(note, "after.reconnect")
            await wait_for(lambda: bool(seen))
        finally:
            await bus.stop()
            await db.stop()
        return len(resyncs), [event["type"] for event in seen]

    resyncs, seen = run_async(scenario())

    assert resyncs == 1 and seen == ["after.reconnect"]


def test_a_listener_lost_again_and_again_comes_back_as_fast_each_time(postgres_db: str) -> None:
    # The retry delay used to grow with every loss since the server started (0.5, 1, 2, 4, 8 s
    # ...), so after a few database restarts calls reached the wall only 20 s late.
    async def scenario() -> list[float]:
        seen: list[dict[str, Any]] = []
        resyncs: list[int] = []
        bus = PostgresBus(postgres_db, seen.extend, lambda: resyncs.append(1))
        bus.health_check_seconds = 0.2
        await bus.start()
        loop = asyncio.get_running_loop()
        took = []
        try:
            admin = await asyncpg.connect(postgres_db)
            for loss in range(1, 6):
                started = loop.time()
                await admin.execute("SELECT pg_terminate_backend($1)", bus.backend_pid)
                await wait_for(lambda n=loss: len(resyncs) == n, within=10)  # type: ignore[misc]
                took.append(loop.time() - started)
            await admin.close()
        finally:
            await bus.stop()
        return took

    took = run_async(scenario())

    assert len(took) == 5
    assert max(took) < 3.0, took
