"""Short memory, per database connection, of facts that ticket issuing reads every time.

A kiosk ticket needs its service row and the service's recent handling times. Both change
rarely (an administrator edits a service; a counter finishes a ticket) but were read by every
ticket, and on SQLite each extra statement costs the one writer thread a round trip for the
GIL. So they are remembered on the connection for `SECONDS`, and forgotten at once when the
same connection changes them. On SQLite every write of the server goes through its one writer
connection, so its memory is exact; other connections (PostgreSQL's pool, a second server
process, the CLI) may see a change up to `SECONDS` late, as with the API token cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

T = TypeVar("T")
SECONDS = 10.0
_KEY = "skranke.memo"


def recall(conn: Connection, key: Hashable, load: Callable[[], T]) -> T:
    """The remembered value for `key`, or `load()` remembered for the next `SECONDS`."""
    memory: dict[Hashable, tuple[float, Any]] = conn.info.setdefault(_KEY, {})
    now = time.monotonic()
    found = memory.get(key)
    if found is not None and found[0] > now:
        value: T = found[1]
        return value
    value = load()
    memory[key] = (now + SECONDS, value)
    return value


def forget(conn: Connection, key: Hashable | None = None) -> None:
    """Forget `key`, or everything when no key is given (a branch or service changed)."""
    memory: dict[Hashable, Any] = conn.info.get(_KEY, {})
    if key is None:
        memory.clear()
    else:
        memory.pop(key, None)
