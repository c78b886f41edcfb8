"""Random days at the counters: whatever staff press, no ticket is lost and none is held twice.

Drives the use cases with random sequences of actions on one real SQLite connection. Each
example runs in a transaction that is rolled back at its end, and each step in a savepoint, so
that a refused action leaves nothing behind, as in `Database.write`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection

from skranke.queue.branches import create_branch
from skranke.queue.calling import call_next, call_ticket
from skranke.queue.errors import DomainError
from skranke.queue.states import TicketSource, TicketState
from skranke.queue.tickets import act, issue_ticket, transfer
from skranke.queue.views import QueuePolicy
from skranke.store import memo
from skranke.store.engine import _sqlite_engine, normalise_url
from skranke.store.events import take_pending
from skranke.store.tables import counter_t, ticket_t
from tests.integration.conftest import MONDAY_MORNING as T0
from tests.integration.conftest import TOWN

POLICY = QueuePolicy()
S = TicketState
SERVICES = ("flytning", "laan", "pas")
COUNTERS = (1, 2, 3)
ACTS = ("recall", "serve", "finish", "no-show", "park", "resume", "cancel")
# Issuing and calling more often than the rest, so that most steps find a ticket to act on.
KINDS = (
    "issue",
    "issue",
    "call_next",
    "call_next",
    "call_ticket",
    "call_ticket",
    "transfer",
    *ACTS,
)
AT_A_COUNTER = {S.CALLED.value, S.SERVING.value}

# (what, a, b): the numbers pick a service, counter, ticket or booking time by their kind.
steps = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 30), st.integers(0, 30)),
    min_size=5,
    max_size=25,
)


@pytest.fixture
def conn(sqlite_db: str) -> Iterator[Connection]:
    engine = _sqlite_engine(normalise_url(sqlite_db), immediate=True, pool_size=1)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def run(conn: Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn` in a savepoint; a refused action (a domain error) rolls back and returns None."""
    savepoint = conn.begin_nested()
    try:
        result = fn(conn, *args, **kwargs)
    except DomainError:
        savepoint.rollback()
        memo.forget(conn)
        return None
    finally:
        take_pending(conn)
    savepoint.commit()
    return result


def step(conn: Connection, tickets: list[int], what: str, a: int, b: int, at: int) -> None:
    now = T0 + timedelta(minutes=at)
    counter = COUNTERS[a % len(COUNTERS)]
    ticket = tickets[b % len(tickets)] if tickets else 1
    if what == "issue":
        booked = now + timedelta(minutes=b - 10) if b % 3 == 0 else None
        info = run(
            conn,
            issue_ticket,
            "lilleby",
            SERVICES[a % len(SERVICES)],
            now,
            POLICY,
            source=TicketSource.STAFF,
            booking_start=booked,
        )
        tickets.append(info.id)
    elif what == "call_next":
        run(conn, call_next, counter, now, POLICY)
    elif what == "call_ticket":
        run(conn, call_ticket, counter, ticket, now, POLICY)
    elif what == "transfer":
        to = {"service_key": SERVICES[a % 3]} if a % 2 else {"counter_id": counter}
        moved = run(conn, transfer, ticket, now, POLICY, **to)
        if moved is not None:
            tickets.append(moved.id)
    else:
        run(conn, act, ticket, what, now, POLICY)


def everyone_waiting_is_called_in_the_end(conn: Connection, at: int) -> set[int]:
    """Who the counters call, each finishing as it goes, until nobody is left (rolled back)."""
    later = T0 + timedelta(minutes=at + 60)
    savepoint = conn.begin_nested()
    called: set[int] = set()
    try:
        for counter in COUNTERS:
            # A citizen called but not yet at the desk would block the counter.
            current = conn.execute(
                sa.select(ticket_t.c.id)
                .join(counter_t, counter_t.c.current_ticket_id == ticket_t.c.id)
                .where(counter_t.c.id == counter, ticket_t.c.state == S.CALLED.value)
            ).scalar()
            if current is not None:
                act(conn, current, "serve", later, POLICY)
        for _ in range(100):
            found = [call_next(conn, counter, later, POLICY) for counter in COUNTERS]
            if not any(found):
                return called
            for info in found:
                if info is not None:
                    called.add(info.id)
                    act(conn, info.id, "finish", later, POLICY)
        raise AssertionError("Expected the queue to empty within 100 rounds, but it did not")
    finally:
        savepoint.rollback()
        memo.forget(conn)
        take_pending(conn)


def check(conn: Connection, at: int) -> None:
    tickets = conn.execute(sa.select(ticket_t.c.id, ticket_t.c.state, ticket_t.c.counter_id))
    held = [
        (c.current_ticket_id, c.id)
        for c in conn.execute(sa.select(counter_t.c.id, counter_t.c.current_ticket_id))
        if c.current_ticket_id is not None
    ]
    holder = dict(held)
    assert len(holder) == len(held), f"Expected each ticket at one counter, but got {held}"
    waiting = set()
    for t in tickets:
        if t.state in AT_A_COUNTER:
            assert t.counter_id is not None and holder.get(t.id) == t.counter_id, (
                f"Expected {t.state} ticket {t.id} held by counter {t.counter_id}, "
                f"but counters hold {holder}"
            )
        else:
            assert t.id not in holder, f"Expected no counter to hold {t.state} ticket {t.id}"
        if t.state == S.WAITING.value:
            waiting.add(t.id)
    assert waiting <= everyone_waiting_is_called_in_the_end(conn, at)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps)
def test_every_ticket_is_in_the_queue_at_its_counter_parked_or_ended(
    conn: Connection, actions: list[tuple[str, int, int]]
) -> None:
    day = conn.begin()
    try:
        create_branch(conn, TOWN)
        tickets: list[int] = []
        for at, (what, a, b) in enumerate(actions):
            step(conn, tickets, what, a, b, 3 * at)
            check(conn, 3 * at)
    finally:
        day.rollback()
        memo.forget(conn)
