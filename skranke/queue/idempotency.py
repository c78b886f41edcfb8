"""A request sent again with its `Idempotency-Key` gets the first one's answer, not a second
ticket or booking.

`run_once` claims the key before the use case runs, in the use case's own transaction, so a
second request with the key (a retry after a crash, or a race from another worker) finds it
taken and does not act at all; the first stores its answer in the same transaction, so the
key and the ticket commit together or neither does. A use case that raises rolls the key
back with everything else, so a retry really tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from skranke.queue.errors import Conflict, InvalidInput
from skranke.store import Conn
from skranke.store import idempotency as stored_keys

T = TypeVar("T")
# Long enough for a kiosk that went offline to come back and retry the same morning.
KEEP = timedelta(days=1)


class KeyReused(InvalidInput):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Keyed:
    """Who sent a request, its key, and a digest of what it asked."""

    caller: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Replay:
    """The stored answer of the first request with the key."""

    status: int
    body: bytes


def run_once(
    conn: Conn,
    keyed: Keyed,
    now: datetime,
    act: Callable[[Conn], T],
    answer: Callable[[T], tuple[int, bytes]],
) -> T | Replay:
    """`act(conn)` and its answer stored under the key; or the stored answer if it is taken."""
    key_id = stored_keys.claim(conn, keyed.caller, keyed.key, keyed.fingerprint, now)
    if key_id is None:
        return replay(conn, keyed)
    result = act(conn)
    status, body = answer(result)
    stored_keys.answer(conn, key_id, status, body)
    return result


def replay(conn: Conn, keyed: Keyed) -> Replay:
    row = stored_keys.stored(conn, keyed.caller, keyed.key)
    if row is None or row.status == 0:
        # Only seen if the first request's transaction is still open where ours can see it.
        raise Conflict(
            f"Expected the first request with Idempotency-Key {keyed.key!r} to have finished, "
            "but it is still running"
        )
    if row.fingerprint != keyed.fingerprint:
        raise KeyReused(
            f"Expected the same method, path and body as the first request with "
            f"Idempotency-Key {keyed.key!r}, but got a different request"
        )
    return Replay(row.status, bytes(row.body))
