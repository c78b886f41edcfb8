"""A hand-built day at the demo branch, through the real use cases, with known times.

Tuesday 24 November 2026 (Copenhagen, UTC+1). Counter 1 (borgerservice) is Anna's, counter 3
(library) the demo "staff" user's. Every figure the tests expect is worked out by hand in
docs/statistics.md ("A worked day") from the timeline below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from skranke.demo import BRANCH, load_demo
from skranke.queue import calling, tickets
from skranke.queue.accounts import create_user
from skranke.queue.states import CounterState, Role, TicketSource
from skranke.queue.views import QueuePolicy
from skranke.store import Conn, branches
from skranke.store.events import acting
from skranke.store.tables import booking_t, counter_t, staff_user_t

DAY = date(2026, 11, 24)
POLICY = QueuePolicy()


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 24, hour - 1, minute, tzinfo=UTC)


def _ids(conn: Conn) -> tuple[dict[int, int], dict[str, int]]:
    branch = branches.row(conn, BRANCH)
    counters = {
        r.number: r.id
        for r in conn.execute(sa.select(counter_t).where(counter_t.c.branch_id == branch.id))
    }
    users = {r.username: r.id for r in conn.execute(sa.select(staff_user_t))}
    return counters, users


def build_day(conn: Conn) -> None:
    load_demo(conn, at(8, 0), None)
    create_user(conn, "anna", "anna-password", Role.STAFF, [BRANCH])
    counters, users = _ids(conn)
    c1, c3 = counters[1], counters[3]
    anna, staff = users["anna"], users["staff"]

    def issue(service: str, when: datetime, **kw: Any) -> int:
        info = tickets.issue_ticket(conn, BRANCH, service, when, POLICY, **kw)
        return info.id

    def state(who: int, counter: int, to: CounterState, when: datetime) -> None:
        acting(who, calling.set_counter_state)(conn, counter, to, when)

    def call(who: int, counter: int, ticket: int, when: datetime) -> None:
        acting(who, calling.call_ticket)(conn, counter, ticket, when, POLICY)

    def do(who: int, ticket: int, action: str, when: datetime) -> None:
        acting(who, tickets.act)(conn, ticket, action, when, POLICY)

    state(anna, c1, CounterState.OPEN, at(9, 0))
    state(staff, c3, CounterState.OPEN, at(9, 0))
    t1 = issue("flytning", at(9, 0))
    t4 = issue("laan", at(9, 0))
    call(staff, c3, t4, at(9, 1))
    t2 = issue("flytning", at(9, 2))
    call(anna, c1, t1, at(9, 5))
    t4b = acting(staff, tickets.transfer)(conn, t4, at(9, 6), POLICY, service_key="digital").id
    t3 = issue("mitid", at(9, 10))
    do(anna, t1, "finish", at(9, 15))
    call(anna, c1, t2, at(9, 15))
    do(anna, t2, "recall", at(9, 17))
    do(anna, t2, "serve", at(9, 18))
    t5 = issue("flytning", at(9, 20))
    call(staff, c3, t4b, at(9, 20))
    do(anna, t2, "finish", at(9, 30))
    call(anna, c1, t3, at(9, 30))
    do(anna, t3, "no-show", at(9, 33))
    do(staff, t4b, "finish", at(9, 40))
    # The library counter helps borgerservice: an overflow.
    call(staff, c3, t5, at(9, 40))
    do(staff, t5, "finish", at(9, 50))
    t6 = issue("pas", at(9, 55), source=TicketSource.CHECKIN, booking_start=at(10, 0))
    t7 = issue("flytning", at(10, 0), source=TicketSource.STAFF)
    call(anna, c1, t6, at(10, 2))
    do(anna, t7, "cancel", at(10, 5))
    do(anna, t6, "finish", at(10, 20))
    t8 = issue("laan", at(10, 30))
    call(staff, c3, t8, at(10, 31))
    do(staff, t8, "park", at(10, 35))
    do(staff, t8, "resume", at(10, 50))
    do(staff, t8, "finish", at(10, 55))
    state(staff, c3, CounterState.PAUSED, at(11, 0))
    t10 = issue("flytning", at(11, 0))
    state(staff, c3, CounterState.OPEN, at(11, 10))
    call(anna, c1, t10, at(11, 10))
    t9 = issue("print", at(11, 20))
    t11 = issue("koerekort", at(11, 20), source=TicketSource.CHECKIN, booking_start=at(11, 30))
    do(anna, t10, "finish", at(11, 21))
    call(staff, c3, t9, at(11, 25))
    do(staff, t9, "finish", at(11, 30))
    call(anna, c1, t11, at(11, 40))
    do(anna, t11, "finish", at(11, 55))
    state(anna, c1, CounterState.CLOSED, at(12, 0))
    state(staff, c3, CounterState.CLOSED, at(12, 0))
    _bookings(conn, {"pas": t6, "koerekort": t11})


def _bookings(conn: Conn, ticket_of: dict[str, int]) -> None:
    """The day's bookings: two came (checked in, served), one did not, one was cancelled."""
    branch = branches.row(conn, BRANCH)
    for n, (service, hour, minute, state) in enumerate(
        [
            ("pas", 10, 0, "checked_in"),
            ("koerekort", 11, 30, "served"),
            ("pas", 10, 30, "no_show"),
            ("koerekort", 11, 0, "cancelled"),
        ]
    ):
        row = branches.service(conn, BRANCH, service)
        start = at(hour, minute)
        conn.execute(
            sa.insert(booking_t).values(
                code=f"DAY{n}",
                branch_id=branch.id,
                service_id=row.id,
                start=start,
                end=start,
                name="",
                state=state,
                created_at=at(8, 0),
                ticket_id=ticket_of.get(service) if state in ("checked_in", "served") else None,
            )
        )
