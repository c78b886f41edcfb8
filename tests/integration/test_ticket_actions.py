"""Each staff action starts from one state; in any other it is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.calling import call_next, call_ticket
from skranke.queue.errors import Conflict, IllegalTransition
from skranke.queue.lookup import ticket_info
from skranke.queue.states import TicketSource
from skranke.queue.tickets import act, issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store import counters
from skranke.store.engine import Database
from skranke.store.tables import event_t
from tests.integration.conftest import MONDAY_MORNING as T0

pytestmark = pytest.mark.anyio
POLICY = QueuePolicy()
minutes = timedelta(minutes=1)


async def issue(db: Database, at: timedelta = timedelta(0)) -> int:
    info = await db.write(
        issue_ticket, "lilleby", "flytning", T0 + at, POLICY, source=TicketSource.STAFF
    )
    return info.id


def event_count(conn: Connection) -> int:
    count: int = conn.execute(sa.select(sa.func.count()).select_from(event_t)).scalar_one()
    return count


@pytest.mark.parametrize("action", ["recall", "resume", "serve"])
async def test_an_action_on_a_waiting_ticket_is_refused_and_it_stays_in_the_queue(
    db: Database, action: str
) -> None:
    ticket = await issue(db)
    before = await db.read(event_count)

    with pytest.raises(IllegalTransition, match=r"expected (called|parked), but got waiting"):
        await db.write(act, ticket, action, T0 + minutes, POLICY)

    info = await db.read(ticket_info, POLICY, ticket_id=ticket)
    assert (info.state, info.position, info.counter_id) == ("waiting", 1, None)
    assert await db.read(event_count) == before
    called = await db.write(call_next, 1, T0 + 2 * minutes, POLICY)
    assert called is not None and called.id == ticket


async def test_recall_of_a_waiting_ticket_names_the_action_and_both_states(db: Database) -> None:
    ticket = await issue(db)

    with pytest.raises(IllegalTransition) as refused:
        await db.write(act, ticket, "recall", T0, POLICY)

    assert refused.value.detail == "Cannot recall ticket F001: expected called, but got waiting"


async def test_resume_of_a_called_ticket_is_refused(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)

    with pytest.raises(IllegalTransition, match="expected parked, but got called"):
        await db.write(act, ticket, "resume", T0 + 2 * minutes, POLICY)

    info = await db.read(ticket_info, POLICY, ticket_id=ticket)
    assert (info.state, info.counter_number, info.called_at) == ("called", 1, T0 + minutes)


async def test_recall_of_a_parked_ticket_is_refused_and_it_stays_parked(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)
    await db.write(act, ticket, "park", T0 + 2 * minutes, POLICY)

    with pytest.raises(IllegalTransition, match="expected called, but got parked"):
        await db.write(act, ticket, "recall", T0 + 3 * minutes, POLICY)

    assert (await db.read(ticket_info, POLICY, ticket_id=ticket)).state == "parked"
    assert (await db.read(counters.row, 1)).current_ticket_id is None


async def test_a_parked_ticket_can_be_called_to_another_counter(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)
    await db.write(act, ticket, "park", T0 + 2 * minutes, POLICY)

    called = await db.write(call_ticket, 2, ticket, T0 + 3 * minutes, POLICY)

    assert (called.state, called.counter_number) == ("called", 2)
    assert (await db.read(counters.row, 2)).current_ticket_id == ticket
    assert (await db.read(counters.row, 1)).current_ticket_id is None


async def test_a_ticket_called_at_one_counter_cannot_be_called_to_another(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)

    with pytest.raises(Conflict, match="was called by another counter"):
        await db.write(call_ticket, 2, ticket, T0 + 2 * minutes, POLICY)

    assert (await db.read(counters.row, 1)).current_ticket_id == ticket
    assert (await db.read(counters.row, 2)).current_ticket_id is None


async def test_a_finished_ticket_cannot_be_called_again(db: Database) -> None:
    ticket = await issue(db)
    await db.write(call_next, 1, T0 + minutes, POLICY)
    await db.write(act, ticket, "finish", T0 + 2 * minutes, POLICY)

    with pytest.raises(IllegalTransition, match="but got done"):
        await db.write(call_ticket, 2, ticket, T0 + 3 * minutes, POLICY)
