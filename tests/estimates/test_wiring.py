"""One estimator everywhere: kiosk buttons, the ticket, the phone page and the queue API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from skranke.queue.calling import call_next, set_counter_state
from skranke.queue.lookup import queue_status, ticket_info
from skranke.queue.states import CounterState
from skranke.queue.tickets import act, issue_ticket, transfer
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store.engine import Database

pytestmark = pytest.mark.anyio
POLICY = QueuePolicy()
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


async def issue(db: Database, service: str, at: timedelta) -> TicketInfo:
    info: TicketInfo = await db.write(issue_ticket, "lilleby", service, T0 + at, POLICY)
    return info


async def button(db: Database, service: str, at: timedelta) -> int:
    queues = await db.read(queue_status, "lilleby", T0 + at, POLICY)
    return next(q.estimated_wait_minutes for q in queues if q.service_key == service)


async def busy_room(db: Database) -> None:
    """Both borgerservice counters serving a citizen since 09:00 (ten-minute errands)."""
    for _ in range(2):
        await issue(db, "mitid", 0 * MIN)
    await db.write(call_next, 1, T0, POLICY)
    await db.write(call_next, 2, T0, POLICY)


async def test_the_kiosk_button_and_the_ticket_show_the_same_wait(db: Database) -> None:
    await busy_room(db)
    await issue(db, "flytning", 1 * MIN)
    await issue(db, "mitid", 2 * MIN)

    shown = await button(db, "mitid", 3 * MIN)
    ticket = await issue(db, "mitid", 3 * MIN)

    # Both citizens are three minutes into ten-minute errands: half of such errands are done
    # within six more minutes (the median time left, a little less than 10 - 3). Both counters
    # are expected free at 09:09 and take the two ahead; the next at 09:19: 16 minutes, where
    # the old estimate (2 ahead x 10 / 2 counters) promised 10.
    assert shown == ticket.estimated_wait_minutes == 16


async def test_the_phone_page_estimate_moves_as_the_queue_moves(db: Database) -> None:
    await busy_room(db)
    first = await issue(db, "mitid", 1 * MIN)
    mine = await issue(db, "mitid", 2 * MIN)

    before = await db.read(ticket_info, POLICY, tracking=mine.tracking, now=T0 + 5 * MIN)
    await db.write(act, first.id - 2, "finish", T0 + 6 * MIN, POLICY)
    await db.write(call_next, 1, T0 + 6 * MIN, POLICY)
    after = await db.read(ticket_info, POLICY, tracking=mine.tracking, now=T0 + 7 * MIN)

    # At 09:05 both counters are expected free at about 09:09:30, one for each of us. Then
    # counter 1 finishes early (6 minutes) and calls the first; mine is next, for counter 2,
    # whose citizen's errand is now learned at 8.5 minutes (the one real time, 6, pulled
    # towards the configured 10): seven minutes in, about three are left.
    assert (before.position, before.estimated_wait_minutes) == (2, 5)
    assert (after.position, after.estimated_wait_minutes) == (1, 3)


async def test_a_paused_counter_does_not_count(db: Database) -> None:
    await issue(db, "mitid", 0 * MIN)
    await db.write(set_counter_state, 1, CounterState.OPEN, T0)
    await db.write(set_counter_state, 2, CounterState.OPEN, T0)
    both = await button(db, "mitid", 1 * MIN)

    await db.write(set_counter_state, 2, CounterState.PAUSED, T0 + 2 * MIN)
    one = await button(db, "mitid", 2 * MIN)

    assert (both, one) == (0, 10)


async def test_a_transferred_ticket_goes_before_the_walk_ins(db: Database) -> None:
    await busy_room(db)
    for i in range(3):
        await issue(db, "flytning", (i + 1) * MIN)
    serving = await db.write(act, 1, "serve", T0 + 5 * MIN, POLICY)
    moved = await db.write(transfer, serving.id, T0 + 5 * MIN, POLICY, service_key="flytning")

    # Counter 1 is free at once and takes the transfer before the three walk-ins.
    assert moved.position is not None
    assert moved.estimated_wait_minutes == 0


async def test_no_open_counter_still_says_how_much_work_is_ahead(db: Database) -> None:
    for i in range(3):
        await issue(db, "laan", i * MIN)

    fourth = await issue(db, "laan", 3 * MIN)

    # Nobody at the library counter yet: three ahead at five minutes each, as if one opens.
    assert fourth.estimated_wait_minutes == 15
