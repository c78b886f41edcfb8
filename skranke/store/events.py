"""Append-only event log; every state change writes one row in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.prepared import Prepared
from skranke.store.tables import event_t

# Events written in a transaction wait here until it commits; the database runner hands them
# to live subscribers only then, so nobody sees a change that was rolled back.
PENDING_KEY = "skranke.pending_events"
# Built once: constructing a statement costs more than running it on SQLite.
INSERT_EVENT = Prepared(sa.insert(event_t).returning(event_t.c.seq))
# Other server processes learn of each event through PostgreSQL LISTEN on this channel.
NOTIFY_CHANNEL = "skranke_events"
NOTIFY = sa.select(sa.func.pg_notify(sa.bindparam("channel"), sa.bindparam("payload")))
# PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
MAX_NOTIFY_BYTES = 7_900
# The staff member whose request this transaction serves (see `acting`); their user id goes
# into each event's payload, so statistics and the audit trail know who was at the counter.
ACTOR_KEY = "skranke.actor"
T = TypeVar("T")


def acting(user_id: int | None, fn: Callable[..., T]) -> Callable[..., T]:
    """`fn(conn, ...)`, with the events it records naming `user_id` (a staff request)."""

    def run(conn: Connection, *args: Any, **kwargs: Any) -> T:
        conn.info[ACTOR_KEY] = user_id
        try:
            return fn(conn, *args, **kwargs)
        finally:
            # SQLite's writer runs other requests' jobs on this same connection.
            conn.info.pop(ACTOR_KEY, None)

    return run


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
    actor = conn.info.get(ACTOR_KEY)
    if actor is not None:
        payload.setdefault("user_id", actor)
    row = {
        "at": at,
        "kind": kind,
        "branch_id": branch_id,
        "ticket_id": ticket_id,
        "counter_id": counter_id,
        "payload": payload,
    }
    seq: int = INSERT_EVENT.scalar(conn, row)
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
    if conn.dialect.name == "postgresql":
        # Inside the same transaction: PostgreSQL delivers the notice only if the change commits.
        conn.execute(NOTIFY, {"channel": NOTIFY_CHANNEL, "payload": notify_payload(event)})
    return seq


def notify_payload(event: dict[str, Any]) -> str:
    text = json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str)
    if len(text.encode()) <= MAX_NOTIFY_BYTES:
        return text
    # Too big to send whole: listeners get the ids and fetch what they need themselves.
    keys = ("seq", "type", "at", "branch_id", "ticket_id", "counter_id")
    return json.dumps({**{k: event[k] for k in keys}, "truncated": True}, default=str)


def take_pending(conn: Connection) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = conn.info.pop(PENDING_KEY, [])
    return events
