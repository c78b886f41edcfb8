"""PostgreSQL advisory locks: for one booking transaction, and the scheduler's leader lock.

On SQLite every write runs on one writer thread, one transaction after another, so nothing can
slip in between a check and the write it guards; these locks are then no-ops (or, for the
leader lock, always held: SQLite means one process).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.engine import Database

# "skranke" in ASCII: one lock per database, whatever the process.
LEADER_LOCK_KEY = 0x736B72616E6B65
_XACT_LOCK = sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))


def lock_key(text: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock, the same in every process."""
    digest = hashlib.blake2b(text.encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def slot_lock_key(service_id: int, start: datetime) -> int:
    return lock_key(f"{service_id}/{start.timestamp():.0f}")


def contact_lock_keys(email: str | None, phone: str | None) -> list[int]:
    # Prefixed, so an address can never share a key with a slot or with a phone number.
    found = [
        lock_key(f"contact/{kind}/{v}") for kind, v in (("email", email), ("phone", phone)) if v
    ]
    # Always taken in the same order, so two bookings sharing both never wait on each other.
    return sorted(found)


def lock_slot(conn: Connection, service_id: int, start: datetime) -> None:
    """Until this transaction ends, serialise everyone counting seats at this slot."""
    _xact_locks(conn, [slot_lock_key(service_id, start)])


def lock_contact(conn: Connection, email: str | None, phone: str | None) -> None:
    """Until this transaction ends, serialise everyone counting this contact's bookings.

    The per-contact limit counts bookings across every slot, so the slot lock does not cover
    it. Take this before any slot lock: one order everywhere means no deadlock.
    """
    _xact_locks(conn, contact_lock_keys(email, phone))


def _xact_locks(conn: Connection, keys: list[int]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for key in keys:
        conn.execute(_XACT_LOCK, {"key": key})


class LeaderLock:
    """Held by one process per PostgreSQL database, on a connection of its own.

    A session-level lock lives as long as its connection, so it is not taken through the
    pooled engine (which would hand the connection to other work and back) but on a plain
    asyncpg connection kept open while the lock is held.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: asyncpg.Connection | None = None
        # What the last look found, for /readyz: True, this process leads; False, another
        # does; None, not known (not looked yet, or the database did not answer).
        self.leader: bool | None = None

    async def held(self) -> bool:
        if self.db.is_sqlite:
            self.leader = True
            return True
        try:
            if self._conn is not None:
                # The lock lives as long as the connection; check it is still there.
                await self._conn.fetchval("SELECT 1")
                self.leader = True
                return True
            dsn = self.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
            conn = await asyncpg.connect(dsn, timeout=10)
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK_KEY):
                self._conn = conn
                self.leader = True
                return True
            await conn.close()
            self.leader = False
            return False
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await self.release()
            return False

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        self.leader = None
        if conn is not None:
            try:
                await conn.close(timeout=5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                conn.terminate()
