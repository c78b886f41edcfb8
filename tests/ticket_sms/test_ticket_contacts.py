"""The number, the one SMS and the erasure, through the use cases on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skranke.queue import outbox, ticket_notices
from skranke.queue.calling import call_next
from skranke.queue.errors import Forbidden, IllegalTransition, InvalidInput
from skranke.queue.housekeeping import close_day
from skranke.queue.lookup import ticket_info
from skranke.queue.outbox import TicketNotice
from skranke.queue.states import TicketSource
from skranke.queue.tickets import act, issue_ticket, leave_queue, transfer
from skranke.store.engine import Database
from tests.ticket_sms.conftest import (
    MINUTE,
    PHONE,
    POLICY,
    T0,
    contact_rows,
    notices_of_tickets,
    walk_ins,
)

pytestmark = pytest.mark.anyio
NOW = T0 + 10 * MINUTE


async def ticket_id(db: Database, tracking: str) -> int:
    info = await db.read(ticket_info, POLICY, tracking=tracking)
    return info.id


async def serve_and_call(db: Database, counter: int, at: timedelta) -> str | None:
    """The counter finishes its citizen (if any) and calls the next; the number called."""
    called = await db.write(call_next, counter, NOW + at, POLICY)
    if called is None:
        return None
    await db.write(act, called.id, "serve", NOW + at, POLICY)
    return called.number


async def test_the_sms_is_queued_once_when_the_ticket_becomes_third(db: Database) -> None:
    tracking = await walk_ins(db, 5)
    fifth = await ticket_id(db, tracking[4])

    offered = await db.write(ticket_notices.ask, tracking[4], "12 34 56 78", "uk", NOW)
    queued_at_fifth = await db.write(ticket_notices.queue_due, NOW)
    await serve_and_call(db, 1, MINUTE)  # F001 called: F005 is fourth
    assert await db.read(notices_of_tickets) == []
    await serve_and_call(db, 2, 2 * MINUTE)  # F002 called: F005 is third
    after_third = await db.read(notices_of_tickets)
    for n in range(3, 6):
        await serve_and_call(db, 1, n * MINUTE)
    claimed = await db.write(outbox.claim_due, NOW + 6 * MINUTE)

    assert offered.asked and offered.phone_end == "5678" and not offered.notified
    assert queued_at_fifth == 0
    assert after_third == [(fifth, "pending")]  # queued by the call itself
    assert await db.read(notices_of_tickets) == [(fifth, "pending")]  # once, however it moves
    (notice,) = claimed
    assert isinstance(notice, TicketNotice)
    assert (notice.phone, notice.number, notice.language) == (PHONE, "F005", "uk")


async def test_a_ticket_already_third_when_asking_is_queued_by_the_next_check(
    db: Database,
) -> None:
    tracking = await walk_ins(db, 3)
    third = await ticket_id(db, tracking[2])

    offer = await db.read(ticket_notices.offer, tracking[2])
    await db.write(ticket_notices.ask, tracking[2], "+48 501 234 567", "pl", NOW)
    first = await db.write(ticket_notices.check, NOW)
    again = await db.write(ticket_notices.check, NOW + MINUTE)

    assert not offer.offered  # two ahead already: the page offers nothing to wait for
    assert (first, again) == (1, 0)
    assert await db.read(notices_of_tickets) == [(third, "pending")]


async def test_booked_and_transferred_tickets_are_never_offered_an_sms(db: Database) -> None:
    await walk_ins(db, 4)
    booked = await db.write(
        issue_ticket,
        "lilleby",
        "pas",
        NOW,
        POLICY,
        source=TicketSource.CHECKIN,
        booking_start=NOW + 5 * MINUTE,
    )
    (walk_in,) = await walk_ins(db, 1)
    moved = await db.write(transfer, await ticket_id(db, walk_in), NOW, POLICY, service_key="pas")

    for tracking in (booked.tracking, moved.tracking):
        assert not (await db.read(ticket_notices.offer, tracking)).offered
        with pytest.raises(Forbidden):
            await db.write(ticket_notices.ask, tracking, "12345678", "da", NOW)
    await db.write(ticket_notices.check, NOW)
    assert await db.read(contact_rows) == []
    assert await db.read(notices_of_tickets) == []


@pytest.mark.parametrize("number", ["", "1234", "12 34 56 7x", "+45", "ring mig"])
async def test_a_bad_number_is_refused_and_nothing_is_kept(db: Database, number: str) -> None:
    tracking = await walk_ins(db, 4)

    with pytest.raises(InvalidInput, match="mobile number"):
        await db.write(ticket_notices.ask, tracking[3], number, "da", NOW)

    assert await db.read(contact_rows) == []


async def test_a_called_ticket_cannot_ask_any_more(db: Database) -> None:
    tracking = await walk_ins(db, 1)
    await db.write(call_next, 1, NOW, POLICY)

    with pytest.raises(IllegalTransition):
        await db.write(ticket_notices.ask, tracking[0], "12345678", "da", NOW)


async def _finish(db: Database, tracking: str) -> None:
    called = await db.write(call_next, 1, NOW + MINUTE, POLICY)
    assert called is not None and called.tracking == tracking
    await db.write(act, called.id, "finish", NOW + 2 * MINUTE, POLICY)


async def _no_show(db: Database, tracking: str) -> None:
    called = await db.write(call_next, 1, NOW + MINUTE, POLICY)
    assert called is not None and called.tracking == tracking
    await db.write(act, called.id, "no-show", NOW + 2 * MINUTE, POLICY)


async def _leave(db: Database, tracking: str) -> None:
    await db.write(leave_queue, tracking, NOW + MINUTE, POLICY)


async def _transfer(db: Database, tracking: str) -> None:
    await db.write(transfer, await ticket_id(db, tracking), NOW, POLICY, service_key="pas")


async def _close_day(db: Database, tracking: str) -> None:
    # The town has no opening hours: the close ends today's queue at once.
    assert await db.write(close_day, NOW + MINUTE) >= 1


@pytest.mark.parametrize("end", [_finish, _no_show, _leave, _transfer, _close_day])
async def test_the_number_is_erased_when_the_ticket_ends(db: Database, end: object) -> None:
    (tracking,) = await walk_ins(db, 1)
    await db.write(ticket_notices.ask, tracking, "12345678", "da", NOW)
    # Already first: its SMS is pending when the ticket ends, and must never go out.
    await db.write(ticket_notices.queue_due, NOW)
    assert await db.read(contact_rows) == [(await ticket_id(db, tracking), PHONE)]

    await end(db, tracking)  # type: ignore[operator]

    assert await db.read(contact_rows) == []
    assert [state for _, state in await db.read(notices_of_tickets)] == ["dropped"]
    assert await db.write(outbox.claim_due, NOW + 5 * MINUTE) == []


async def test_withdrawing_erases_the_number_and_asking_again_never_texts_twice(
    db: Database,
) -> None:
    tracking = await walk_ins(db, 5)
    await db.write(ticket_notices.ask, tracking[4], "12345678", "da", NOW)
    await db.write(ticket_notices.withdraw, tracking[4], NOW)
    withdrawn = await db.read(contact_rows)
    await serve_and_call(db, 1, MINUTE)
    await serve_and_call(db, 2, 2 * MINUTE)  # third now: nothing to text
    nothing = await db.read(notices_of_tickets)
    await db.write(ticket_notices.ask, tracking[4], "87654321", "da", NOW + 3 * MINUTE)
    await db.write(ticket_notices.check, NOW + 3 * MINUTE)
    (sent,) = await db.write(outbox.claim_due, NOW + 3 * MINUTE)
    await db.write(outbox.mark_sent, sent.id, NOW + 3 * MINUTE)
    await db.write(ticket_notices.withdraw, tracking[4], NOW + 4 * MINUTE)
    await db.write(ticket_notices.ask, tracking[4], "87654321", "da", NOW + 5 * MINUTE)
    await db.write(ticket_notices.check, NOW + 5 * MINUTE)

    assert [phone for _, phone in withdrawn] == [None]
    assert nothing == []
    assert isinstance(sent, TicketNotice) and sent.phone == "+4587654321"
    assert [state for _, state in await db.read(notices_of_tickets)] == ["sent"]
    assert (await db.read(ticket_notices.offer, tracking[4])).notified


async def test_a_withdrawn_pending_sms_is_dropped_unsent(db: Database) -> None:
    (tracking,) = await walk_ins(db, 1)
    await db.write(ticket_notices.ask, tracking, "12345678", "da", NOW)
    await db.write(ticket_notices.check, NOW)

    await db.write(ticket_notices.withdraw, tracking, NOW + MINUTE)

    assert await db.write(outbox.claim_due, NOW + MINUTE) == []
    assert [state for _, state in await db.read(notices_of_tickets)] == ["dropped"]


async def test_a_number_left_on_a_ticket_called_overnight_is_erased_next_day(
    db: Database,
) -> None:
    (tracking,) = await walk_ins(db, 1)
    await db.write(ticket_notices.ask, tracking, "12345678", "da", NOW)
    await db.write(call_next, 1, NOW + MINUTE, POLICY)  # called, never finished

    evening = await db.write(ticket_notices.forget_ended, NOW + timedelta(hours=8))
    next_morning = await db.write(ticket_notices.forget_ended, NOW + timedelta(hours=20))

    assert (evening, next_morning) == (0, 1)
    assert await db.read(contact_rows) == []
