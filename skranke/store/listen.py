"""PostgreSQL LISTEN on a dedicated connection, outside the pool (DESIGN §11).

`record` in `store.events` sends every event with `pg_notify` inside its transaction; this is
the receiving end. One call of `listen` is one connection's life: it returns only by raising
when the connection is lost, and the caller decides how soon to try again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import NoReturn

from skranke.store.events import NOTIFY_CHANNEL


async def listen(
    dsn: str,
    on_payload: Callable[[str], None],
    on_connected: Callable[[int], None],
    health_check_seconds: float,
) -> NoReturn:
    """Deliver each notification's payload until the connection is lost, then raise."""
    import asyncpg

    conn = await asyncpg.connect(dsn, timeout=10)
    lost = asyncio.Event()
    conn.add_termination_listener(lambda _conn: lost.set())
    try:
        await conn.add_listener(NOTIFY_CHANNEL, lambda _c, _pid, _ch, payload: on_payload(payload))
        # The listener's server process id: what an operator sees in pg_stat_activity.
        on_connected(conn.get_server_pid())
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), health_check_seconds)
            except TimeoutError:
                # A silent half-open TCP connection would otherwise go unnoticed until the
                # next notification that never comes.
                await conn.fetchval("SELECT 1", timeout=5)
        raise ConnectionError("listener connection closed")
    finally:
        conn.terminate()
