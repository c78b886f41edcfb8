"""Idempotency keys in the database: claimed before the use case, answered in its transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skranke.queue.errors import NotFound
from skranke.queue.housekeeping import forget_idempotency_keys
from skranke.queue.idempotency import Keyed, KeyReused, Replay, run_once
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store import Conn
from skranke.store import idempotency as stored_keys
from skranke.store.engine import Database
from tests.integration.conftest import MONDAY_MORNING

pytestmark = pytest.mark.anyio
POLICY = QueuePolicy()
TAP = Keyed("device:kiosk-1", "tap-1", "a" * 64)


def issue(conn: Conn) -> TicketInfo:
    return issue_ticket(conn, "lilleby", "laan", MONDAY_MORNING, POLICY)


def answer(info: TicketInfo) -> tuple[int, bytes]:
    return 201, f'{{"number": "{info.number}"}}'.encode()


def fails(conn: Conn) -> TicketInfo:
    issue(conn)
    raise NotFound("Expected the service 'laan', but it closed a moment ago")


async def test_a_second_run_with_the_key_replays_the_stored_answer(db: Database) -> None:
    first = await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)

    again = await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)

    assert isinstance(first, TicketInfo)
    assert again == Replay(201, f'{{"number": "{first.number}"}}'.encode())
    assert await db.read(stored_keys.stored, TAP.caller, TAP.key) is not None


async def test_a_second_run_with_the_key_makes_no_ticket(db: Database) -> None:
    first = await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)
    await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)

    after = await db.write(issue)

    assert isinstance(first, TicketInfo)
    assert after.position == 2


async def test_the_key_with_another_request_is_refused(db: Database) -> None:
    await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)
    other = Keyed(TAP.caller, TAP.key, "b" * 64)

    with pytest.raises(KeyReused, match="Expected the same method, path and body"):
        await db.write(run_once, other, MONDAY_MORNING, issue, answer)


async def test_a_failed_run_keeps_no_key_so_a_retry_acts(db: Database) -> None:
    with pytest.raises(NotFound):
        await db.write(run_once, TAP, MONDAY_MORNING, fails, answer)

    retried = await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)

    assert isinstance(retried, TicketInfo)
    assert retried.position == 1


async def test_keys_are_forgotten_after_a_day(db: Database) -> None:
    await db.write(run_once, TAP, MONDAY_MORNING, issue, answer)
    fresh = Keyed(TAP.caller, "tap-2", TAP.fingerprint)
    await db.write(run_once, fresh, MONDAY_MORNING + timedelta(hours=12), issue, answer)

    forgotten = await db.write(forget_idempotency_keys, MONDAY_MORNING + timedelta(hours=25))

    assert forgotten == 1
    assert await db.read(stored_keys.stored, TAP.caller, TAP.key) is None
    assert await db.read(stored_keys.stored, fresh.caller, fresh.key) is not None
