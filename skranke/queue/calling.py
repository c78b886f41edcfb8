"""Calling citizens to a counter: next in line, or a specific ticket, claimed atomically."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.errors import Conflict, Forbidden, InvalidInput, NotFound
from skranke.queue.lookup import counter_row, ticket_info, ticket_row
from skranke.queue.routing import Candidate, CounterProfile, choose_next
from skranke.queue.states import Area, CounterState, Lane, TicketState, transition
from skranke.queue.tickets import act
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store.events import record
from skranke.store.prepared import Record
from skranke.store.tables import counter_service_t, counter_t, service_t, ticket_t

WAITING = TicketState.WAITING.value
# Each lost race removes one candidate; more retries than this means something is wrong.
MAX_CLAIM_ATTEMPTS = 50


_COLUMNS = (
    ticket_t.c.id,
    ticket_t.c.service_id,
    ticket_t.c.issued_at,
    ticket_t.c.booking_start,
    ticket_t.c.transferred_from_id,
    ticket_t.c.target_counter_id,
    service_t.c.area,
    service_t.c.simple,
)
_HEAD_OF_SERVICE = (
    sa.select(ticket_t.c.id)
    .where(
        ticket_t.c.service_id == service_t.c.id,
        ticket_t.c.state == WAITING,
        ticket_t.c.lane == Lane.WALK_IN,
    )
    .order_by(ticket_t.c.issued_at, ticket_t.c.id)
    .limit(1)
    .correlate(service_t)
    .scalar_subquery()
)
# Within one service walk-ins share a weight, so the oldest always outranks the rest: the
# head of each service plus every booked or transferred ticket is all routing needs.
_CANDIDATES = sa.union_all(
    sa.select(*_COLUMNS)
    .select_from(service_t)
    .join(ticket_t, ticket_t.c.id == _HEAD_OF_SERVICE)
    .where(service_t.c.branch_id == sa.bindparam("branch_id")),
    sa.select(*_COLUMNS)
    .join(service_t, service_t.c.id == ticket_t.c.service_id)
    .where(
        ticket_t.c.branch_id == sa.bindparam("branch_id"),
        ticket_t.c.state == WAITING,
        ticket_t.c.lane > Lane.WALK_IN,
    ),
)


def candidates(conn: Connection, branch_id: int) -> list[Candidate]:
    rows = conn.execute(_CANDIDATES, {"branch_id": branch_id}).all()
    return [
        Candidate(
            ticket_id=r.id,
            service_id=r.service_id,
            area=Area(r.area),
            issued_at=r.issued_at,
            simple=bool(r.simple),
            booking_start=r.booking_start,
            transferred=r.transferred_from_id is not None,
            target_counter_id=r.target_counter_id,
        )
        for r in rows
    ]


def counter_profile(conn: Connection, counter: Record) -> CounterProfile:
    priorities = dict(
        conn.execute(
            sa.select(counter_service_t.c.service_id, counter_service_t.c.priority).where(
                counter_service_t.c.counter_id == counter.id
            )
        ).all()
    )
    return CounterProfile(counter_id=counter.id, area=Area(counter.area), priorities=priorities)


def _ready_counter(
    conn: Connection, counter_id: int, now: datetime, policy: QueuePolicy, branch_ids: Any
) -> Record:
    """The counter, free to call: a serving ticket is finished, a closed counter opens."""
    counter = counter_row(conn, counter_id)
    if branch_ids is not None and counter.branch_id not in branch_ids:
        raise Forbidden(f"Counter {counter.number} is at a branch you do not work at")
    if counter.current_ticket_id is not None:
        current = ticket_row(conn, counter.current_ticket_id)
        if current.state == TicketState.SERVING.value:
            act(conn, current.id, "finish", now, policy)
        elif current.state == TicketState.CALLED.value:
            raise Conflict(
                f"Counter {counter.number} has called {current.number}: "
                "mark it served, finished or no-show first"
            )
    if counter.state != CounterState.OPEN.value:
        set_counter_state(conn, counter.id, CounterState.OPEN, now)
    return counter_row(conn, counter_id)


def _claim(conn: Connection, counter: Record, ticket_id: int, now: datetime) -> bool:
    claimed = conn.execute(
        sa.update(ticket_t)
        .where(ticket_t.c.id == ticket_id, ticket_t.c.state == WAITING)
        .values(state=TicketState.CALLED.value, counter_id=counter.id, called_at=now)
    ).rowcount
    if claimed != 1:
        # Nothing got updated: another counter got there first.
        return False
    conn.execute(
        sa.update(counter_t).where(counter_t.c.id == counter.id).values(current_ticket_id=ticket_id)
    )
    ticket = ticket_row(conn, ticket_id)
    service_key = conn.execute(
        sa.select(service_t.c.key).where(service_t.c.id == ticket.service_id)
    ).scalar_one()
    record(
        conn,
        "ticket.called",
        now,
        branch_id=counter.branch_id,
        ticket_id=ticket_id,
        counter_id=counter.id,
        number=ticket.number,
        counter_number=counter.number,
        service=service_key,
    )
    return True


def call_next(
    conn: Connection,
    counter_id: int,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo | None:
    counter = _ready_counter(conn, counter_id, now, policy, branch_ids)
    profile = counter_profile(conn, counter)
    for _ in range(MAX_CLAIM_ATTEMPTS):
        choice = choose_next(profile, candidates(conn, counter.branch_id), now, policy.routing)
        if choice is None:
            return None
        if _claim(conn, counter, choice.ticket_id, now):
            return ticket_info(conn, policy, ticket_id=choice.ticket_id)
    raise Conflict("Too many counters are calling at once; try again")


def call_ticket(
    conn: Connection,
    counter_id: int,
    number_or_id: str | int,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo:
    """Call one waiting ticket out of order (the citizen at the desk, a parked errand)."""
    counter = _ready_counter(conn, counter_id, now, policy, branch_ids)
    column = ticket_t.c.id if isinstance(number_or_id, int) else ticket_t.c.number
    row = conn.execute(
        sa.select(ticket_t.c.id, ticket_t.c.state, ticket_t.c.number)
        .where(column == number_or_id, ticket_t.c.branch_id == counter.branch_id)
        .order_by(ticket_t.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"No ticket {number_or_id} at this branch")
    transition(TicketState(row.state), TicketState.CALLED)
    if not _claim(conn, counter, row.id, now):
        raise Conflict(f"Ticket {row.number} was called by another counter")
    return ticket_info(conn, policy, ticket_id=row.id)


def set_counter_state(
    conn: Connection,
    counter_id: int,
    state: CounterState,
    now: datetime,
    branch_ids: frozenset[int] | None = None,
) -> CounterState:
    counter = counter_row(conn, counter_id)
    if branch_ids is not None and counter.branch_id not in branch_ids:
        raise Forbidden(f"Counter {counter.number} is at a branch you do not work at")
    if state == CounterState.CLOSED and counter.current_ticket_id is not None:
        raise InvalidInput(f"Counter {counter.number} still has a ticket; finish it first")
    conn.execute(sa.update(counter_t).where(counter_t.c.id == counter.id).values(state=state.value))
    record(
        conn,
        "counter.state",
        now,
        branch_id=counter.branch_id,
        counter_id=counter.id,
        counter_number=counter.number,
        state=state.value,
    )
    return state
