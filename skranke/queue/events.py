"""Append-only event log; every state change writes one row in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.tables import event_t

# Events written in a transaction wait here until it commits; the database runner hands them
# to live subscribers only then, so nobody sees a change that was rolled back.
PENDING_KEY = "skranke.pending_events"


def record(
    conn: Connection,
    kind: str,
    at: datetime,
    *,
    branch_id: int | None = None,
    ticket_id: int | None = None,
    counter_id: int | None = None,
    **payload: Any,
) -> int:
    seq: int = conn.execute(
        sa.insert(event_t)
        .values(
            at=at,
            kind=kind,
            branch_id=branch_id,
            ticket_id=ticket_id,
            counter_id=counter_id,
            payload=payload,
        )
        .returning(event_t.c.seq)
    ).scalar_one()
    event = {
        "seq": seq,
        "type": kind,
        "at": at.isoformat(),
        "branch_id": branch_id,
        "ticket_id": ticket_id,
        "counter_id": counter_id,
        **payload,
    }
    conn.info.setdefault(PENDING_KEY, []).append(event)
    return seq


def take_pending(conn: Connection) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = conn.info.pop(PENDING_KEY, [])
    return events
