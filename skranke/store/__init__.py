"""Every SQL statement and everything database-specific lives in this package.

The domain (`skranke.queue`) and the web, display and printer layers never import SQLAlchemy;
they hold a `Conn` handed to them by `Database.write` / `Database.read` and pass it to the
functions here. Modules are grouped by what they store (tickets, counters, bookings, ...).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection as Conn

from skranke.store.prepared import Record

__all__ = ["Conn", "Record"]
