"""Counters: their state, the ticket each holds, and the services each serves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.errors import NotFound
from skranke.queue.states import CounterState
from skranke.store.prepared import Prepared, Record
from skranke.store.tables import counter_service_t, counter_t, service_t

_bp = sa.bindparam
_COUNTER = Prepared(sa.select(counter_t).where(counter_t.c.id == _bp("id")))
# How many open counters serve a service; a subquery, so that the ticket statements that
# issue and place tickets read it in the same statement (see `store.tickets`).
OPEN_FOR_SERVICE = (
    sa.select(sa.func.count())
    .select_from(
        counter_service_t.join(counter_t, counter_t.c.id == counter_service_t.c.counter_id)
    )
    .where(
        counter_service_t.c.service_id == _bp("service_id"),
        counter_t.c.state == CounterState.OPEN.value,
    )
    .scalar_subquery()
)


def row(conn: Connection, counter_id: int) -> Record:
    found = _COUNTER.first(conn, {"id": counter_id})
    if found is None:
        raise NotFound(f"Unknown counter {counter_id}")
    return found


def of_branch(conn: Connection, branch_id: int) -> list[Record]:
    return list(
        conn.execute(
            sa.select(counter_t)
            .where(counter_t.c.branch_id == branch_id)
            .order_by(counter_t.c.number)
        )
    )


def service_weights(conn: Connection, branch_id: int) -> list[tuple[int, str, float]]:
    """(counter id, service key, weight) of every counter-service pair of a branch."""
    rows = conn.execute(
        sa.select(counter_service_t.c.counter_id, service_t.c.key, counter_service_t.c.priority)
        .join(service_t, service_t.c.id == counter_service_t.c.service_id)
        .where(service_t.c.branch_id == branch_id)
    )
    return [(r.counter_id, r.key, r.priority) for r in rows]


def priorities(conn: Connection, counter_id: int) -> dict[int, float]:
    """Service id -> weight for the services the counter serves."""
    rows = conn.execute(
        sa.select(counter_service_t.c.service_id, counter_service_t.c.priority).where(
            counter_service_t.c.counter_id == counter_id
        )
    )
    return {r.service_id: r.priority for r in rows}


def open_by_service(conn: Connection, service_ids: Sequence[int]) -> dict[int, int]:
    rows = conn.execute(
        sa.select(counter_service_t.c.service_id, sa.func.count())
        .join(counter_t, counter_t.c.id == counter_service_t.c.counter_id)
        .where(
            counter_service_t.c.service_id.in_(service_ids),
            counter_t.c.state == CounterState.OPEN.value,
        )
        .group_by(counter_service_t.c.service_id)
    )
    return {sid: count for sid, count in rows}


def set_current(conn: Connection, counter_id: int, ticket_id: int) -> None:
    conn.execute(
        sa.update(counter_t).where(counter_t.c.id == counter_id).values(current_ticket_id=ticket_id)
    )


def release(conn: Connection, counter_id: int, ticket_id: int) -> None:
    """Free the counter if it still holds `ticket_id` (it may have moved on meanwhile)."""
    conn.execute(
        sa.update(counter_t)
        .where(counter_t.c.id == counter_id, counter_t.c.current_ticket_id == ticket_id)
        .values(current_ticket_id=None)
    )


def set_state(conn: Connection, counter_id: int, state: CounterState) -> None:
    conn.execute(sa.update(counter_t).where(counter_t.c.id == counter_id).values(state=state.value))


def insert(conn: Connection, values: dict[str, Any], weights: dict[int, float]) -> int:
    """A new counter serving `weights` (service id -> weight); returns its id."""
    counter_id: int = conn.execute(
        sa.insert(counter_t).values(**values).returning(counter_t.c.id)
    ).scalar_one()
    if weights:
        conn.execute(
            sa.insert(counter_service_t),
            [
                {"counter_id": counter_id, "service_id": sid, "priority": weight}
                for sid, weight in weights.items()
            ],
        )
    return counter_id
