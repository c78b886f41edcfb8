"""Calling citizens to a counter: next in line, or a specific ticket, claimed atomically."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from skranke.queue import policies, ticket_notices
from skranke.queue.errors import Conflict, Forbidden, InvalidInput, NotFound
from skranke.queue.lookup import ticket_info
from skranke.queue.routing import Candidate, CounterProfile, call_order, choose_next
from skranke.queue.states import TICKET, Area, CounterState, TicketState
from skranke.queue.tickets import act
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store import Conn, Record
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import snapshots as snapshot_store
from skranke.store import tickets as ticket_store
from skranke.store.events import record

S = TicketState
# Each lost race removes one candidate; more retries than this means something is wrong.
MAX_CLAIM_ATTEMPTS = 50


def candidates(conn: Conn, branch_id: int) -> list[Candidate]:
    return _candidates(ticket_store.candidates(conn, branch_id))


def _candidates(rows: Iterable[Record]) -> list[Candidate]:
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


def counter_profile(conn: Conn, counter: Record) -> CounterProfile:
    priorities = counter_store.priorities(conn, counter.id)
    return CounterProfile(counter_id=counter.id, area=Area(counter.area), priorities=priorities)


def next_in_line(
    conn: Conn, counter_id: int, now: datetime, policy: QueuePolicy, limit: int
) -> list[int]:
    """Ids of the waiting tickets in the order this counter's "call next" would take them."""
    counter = counter_store.row(conn, counter_id)
    routing = policies.for_branch(conn, counter.branch_id, policy).routing
    profile = counter_profile(conn, counter)
    waiting = _candidates(snapshot_store.waiting_candidates(conn, counter.branch_id))
    order = call_order(profile, waiting, now, routing, limit)
    return [c.ticket_id for c in order]


def _ready_counter(
    conn: Conn,
    counter_id: int,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None,
) -> Record:
    """The counter, free to call: a serving ticket is finished, a closed counter opens."""
    counter = counter_store.row(conn, counter_id)
    if branch_ids is not None and counter.branch_id not in branch_ids:
        raise Forbidden(f"Counter {counter.number} is at a branch you do not work at")
    if not counter.active:
        # Switched off in the administration: it keeps its history, it calls nobody.
        raise Conflict(
            f"Counter {counter.number} is not in use",
            reason="counter_inactive",
            counter=counter.number,
        )
    if counter.current_ticket_id is not None:
        current = ticket_store.row(conn, counter.current_ticket_id)
        if current.state == S.SERVING.value:
            act(conn, current.id, "finish", now, policy)
        elif current.state == S.CALLED.value:
            raise Conflict(
                f"Counter {counter.number} has called {current.number}: "
                "mark it served, finished or no-show first",
                reason="counter_has_called",
                counter=counter.number,
                number=current.number,
            )
    if counter.state != CounterState.OPEN.value:
        set_counter_state(conn, counter.id, CounterState.OPEN, now)
    return counter_store.row(conn, counter_id)


def _claim(
    conn: Conn, counter: Record, ticket_id: int, now: datetime, current: TicketState = S.WAITING
) -> bool:
    """Call the ticket (read in `current`) to `counter`; False if another counter got it first."""
    TICKET.check(current, S.CALLED)
    values = {"counter_id": counter.id, "called_at": now}
    if not ticket_store.move(conn, ticket_id, current, S.CALLED, **values):
        return False
    counter_store.set_current(conn, counter.id, ticket_id)
    ticket = ticket_store.row(conn, ticket_id)
    record(
        conn,
        "ticket.called",
        now,
        branch_id=counter.branch_id,
        ticket_id=ticket_id,
        counter_id=counter.id,
        number=ticket.number,
        counter_number=counter.number,
        service=branch_store.service_key(conn, ticket.service_id),
    )
    return True


def call_next(
    conn: Conn,
    counter_id: int,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo | None:
    counter = _ready_counter(conn, counter_id, now, policy, branch_ids)
    policy = policies.for_branch(conn, counter.branch_id, policy)
    profile = counter_profile(conn, counter)
    for _ in range(MAX_CLAIM_ATTEMPTS):
        choice = choose_next(profile, candidates(conn, counter.branch_id), now, policy.routing)
        if choice is None:
            return None
        if _claim(conn, counter, choice.ticket_id, now):
            # The queue moved up: whoever asked to be texted when third is told now, not
            # at the scheduled check's next run.
            ticket_notices.queue_due(conn, now, counter.branch_id)
            return ticket_info(conn, policy, ticket_id=choice.ticket_id)
    raise Conflict("Too many counters are calling at once; try again")


def call_ticket(
    conn: Conn,
    counter_id: int,
    number_or_id: str | int,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo:
    """Call one waiting ticket out of order (the citizen at the desk, a parked errand)."""
    counter = _ready_counter(conn, counter_id, now, policy, branch_ids)
    row = ticket_store.find(conn, counter.branch_id, number_or_id)
    if row is None:
        raise NotFound(
            f"No ticket {number_or_id} at this branch", reason="no_such_ticket", number=number_or_id
        )
    state = TicketState(row.state)
    # TICKET lets a called ticket be called again (a recall), but only at its own counter.
    if state == S.CALLED or not _claim(conn, counter, row.id, now, state):
        raise Conflict(
            f"Ticket {row.number} was called by another counter",
            reason="called_elsewhere",
            number=row.number,
        )
    return ticket_info(conn, policy, ticket_id=row.id)


def set_counter_state(
    conn: Conn,
    counter_id: int,
    state: CounterState,
    now: datetime,
    branch_ids: frozenset[int] | None = None,
) -> CounterState:
    counter = counter_store.row(conn, counter_id)
    if branch_ids is not None and counter.branch_id not in branch_ids:
        raise Forbidden(f"Counter {counter.number} is at a branch you do not work at")
    if state == CounterState.CLOSED and counter.current_ticket_id is not None:
        raise InvalidInput(
            f"Counter {counter.number} still has a ticket; finish it first",
            reason="counter_busy",
            counter=counter.number,
        )
    counter_store.set_state(conn, counter.id, state)
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
