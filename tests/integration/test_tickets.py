from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.calling import call_next, call_ticket
from skranke.queue.errors import Conflict, Forbidden, IllegalTransition
from skranke.queue.lookup import ticket_info
from skranke.queue.states import TicketSource
from skranke.queue.tickets import act, issue_ticket, transfer
from skranke.queue.views import QueuePolicy
from skranke.store import counters
from skranke.store.engine import Database
from skranke.store.tables import event_t, ticket_t
from tests.integration.conftest import MONDAY_MORNING as T0

pytestmark = pytest.mark.anyio
POLICY = QueuePolicy()
minutes = timedelta(minutes=1)


async def issue(db: Database, service: str = "flytning", at: timedelta = timedelta(0)) -> int:
    # Staff may issue tickets for errands that need a booking; a kiosk may not.
    info = await db.write(
        issue_ticket, "lilleby", service, T0 + at, POLICY, source=TicketSource.STAFF
    )
    return info.id


def events(conn: Connection) -> list[str]:
    return [r.kind for r in conn.execute(sa.select(event_t.c.kind).order_by(event_t.c.seq))]


async def test_numbers_count_per_prefix_and_restart_each_local_day(db: Database) -> None:
    numbers = [
        (await db.write(issue_ticket, "lilleby", svc, T0 + at, POLICY)).number
        for svc, at in [
            ("flytning", timedelta(0)),
            ("flytning", minutes),
            ("laan", minutes),
            # 23:30 UTC on Monday is already Tuesday in Copenhagen.
            ("flytning", timedelta(hours=14, minutes=30)),
        ]
    ]

    assert numbers == ["F001", "F002", "L001", "F001"]


async def test_each_change_appends_an_event_in_the_same_transaction(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)
    await db.write(act, ticket, "park", T0 + 2 * minutes, POLICY)

    assert await db.read(events) == [
        "ticket.issued",
        "counter.state",
        "ticket.called",
        "ticket.parked",
    ]


async def test_a_refused_transition_leaves_no_trace(db: Database) -> None:
    ticket = await issue(db)
    before = await db.read(events)

    with pytest.raises(IllegalTransition):
        await db.write(act, ticket, "finish", T0, POLICY)

    assert await db.read(events) == before
    assert (await db.read(ticket_info, POLICY, ticket_id=ticket)).state == "waiting"


async def test_call_next_finishes_the_ticket_being_served(db: Database) -> None:
    first, second = await issue(db), await issue(db, at=minutes)
    await db.write(call_next, 1, T0 + 2 * minutes, POLICY)
    await db.write(act, first, "serve", T0 + 3 * minutes, POLICY)

    called = await db.write(call_next, 1, T0 + 9 * minutes, POLICY)

    assert called is not None and called.id == second
    assert (await db.read(ticket_info, POLICY, ticket_id=first)).state == "done"


async def test_call_next_refuses_while_a_called_citizen_has_not_arrived(db: Database) -> None:
    await issue(db)
    await issue(db, at=minutes)
    await db.write(call_next, 1, T0 + 2 * minutes, POLICY)

    with pytest.raises(Conflict, match="mark it served, finished or no-show first"):
        await db.write(call_next, 1, T0 + 3 * minutes, POLICY)


async def test_transfer_keeps_the_number_and_original_issue_time(db: Database) -> None:
    ticket = await issue(db, "flytning")
    await issue(db, "pas", at=minutes)
    await db.write(call_next, 1, T0 + 2 * minutes, POLICY)
    await db.write(act, ticket, "serve", T0 + 3 * minutes, POLICY)

    moved = await db.write(transfer, ticket, T0 + 5 * minutes, POLICY, service_key="pas")
    called = await db.write(call_next, 2, T0 + 6 * minutes, POLICY)

    assert moved.number == "F001" and moved.service_key == "pas"
    assert moved.issued_at == T0
    assert called is not None and called.id == moved.id


async def test_transfer_to_a_counter_is_called_only_there(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)

    moved = await db.write(transfer, ticket, T0 + 2 * minutes, POLICY, counter_id=3)

    assert await db.write(call_next, 2, T0 + 3 * minutes, POLICY) is None
    at_three = await db.write(call_next, 3, T0 + 3 * minutes, POLICY)
    assert at_three is not None and at_three.id == moved.id


async def test_parked_ticket_resumes_at_its_counter(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)
    await db.write(act, ticket, "serve", T0 + 2 * minutes, POLICY)

    await db.write(act, ticket, "park", T0 + 3 * minutes, POLICY)
    assert (await db.read(counters.row, 1)).current_ticket_id is None
    resumed = await db.write(act, ticket, "resume", T0 + 9 * minutes, POLICY)

    assert resumed.state == "called" and resumed.counter_number == 1
    assert (await db.read(counters.row, 1)).current_ticket_id == ticket


async def test_recalls_past_the_limit_put_the_ticket_back_in_the_queue(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)
    for _ in range(POLICY.recall_limit):
        await db.write(act, ticket, "recall", T0 + 2 * minutes, POLICY)

    again = await db.write(act, ticket, "recall", T0 + 3 * minutes, POLICY)

    assert again.state == "waiting" and again.position == 1
    assert (await db.read(counters.row, 1)).current_ticket_id is None


async def test_call_a_specific_ticket_out_of_order(db: Database) -> None:
    await issue(db)
    await issue(db, at=minutes)

    called = await db.write(call_ticket, 2, "F002", T0 + 2 * minutes, POLICY)

    assert called.number == "F002" and called.counter_number == 2


async def test_library_counter_takes_simple_borgerservice_errands_after_long_wait(
    db: Database,
) -> None:
    await issue(db, "flytning")

    early = await db.write(call_next, 3, T0 + 5 * minutes, POLICY)
    late = await db.write(call_next, 3, T0 + 25 * minutes, POLICY)

    assert early is None
    assert late is not None and late.number == "F001"


async def test_estimate_learns_from_finished_tickets(db: Database) -> None:
    for i in range(3):
        ticket = await issue(db, at=i * minutes)
        await db.write(call_next, 1, T0 + (10 * i + 3) * minutes, POLICY)
        await db.write(act, ticket, "serve", T0 + (10 * i + 3) * minutes, POLICY)
        await db.write(act, ticket, "finish", T0 + (10 * i + 7) * minutes, POLICY)
    await issue(db, at=40 * minutes)

    newest = await db.write(issue_ticket, "lilleby", "flytning", T0 + 41 * minutes, POLICY)

    # One ahead, 4 minutes each (not the configured 10), one open counter.
    assert newest.position == 2 and newest.estimated_wait_minutes == 4


async def test_numbers_stay_unique_in_the_table(db: Database) -> None:
    for i in range(5):
        await issue(db, at=i * minutes)

    def numbers(conn: Connection) -> list[str]:
        return list(conn.execute(sa.select(ticket_t.c.number)).scalars())

    found = await db.read(numbers)
    assert sorted(found) == ["F001", "F002", "F003", "F004", "F005"]


async def test_kiosk_cannot_issue_drop_in_tickets_for_booking_only_errands(db: Database) -> None:
    with pytest.raises(Forbidden, match="needs a booking"):
        await db.write(issue_ticket, "lilleby", "pas", T0, POLICY)
