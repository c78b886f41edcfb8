"""The ticket's wait without a forward run on the writer: the latest forecast plus the tickets
issued since, and forecasts built after commits off the writer (skranke.displays.forecasts)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from skranke.displays.forecasts import Forecasts
from skranke.queue import waits
from skranke.queue.calling import call_next
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store import Conn, branches
from skranke.store.engine import Database

pytestmark = pytest.mark.anyio
POLICY = QueuePolicy()
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)


async def issue(db: Database, service: str, at: datetime) -> TicketInfo:
    info: TicketInfo = await db.write(issue_ticket, "lilleby", service, at, POLICY)
    return info


async def refresh(db: Database, at: datetime) -> bool:
    def build(conn: Conn) -> bool:
        return waits.refresh(conn, branches.row(conn, "lilleby").id, at, POLICY)

    return await db.read(build)


async def busy_room(db: Database) -> None:
    """Both borgerservice counters serving a citizen since 09:00 (ten-minute errands)."""
    for _ in range(2):
        await issue(db, "mitid", T0)
    await db.write(call_next, 1, T0, POLICY)
    await db.write(call_next, 2, T0, POLICY)


async def button(db: Database, service: str, at: datetime) -> int | None:
    """The kiosk button's wait for `service` (a ticket taken at `at`)."""

    def read(conn: Conn) -> int | None:
        branch_id = branches.row(conn, "lilleby").id
        _, found = waits.service_waits(conn, branch_id, at, POLICY)
        service_id = branches.service_id(conn, branch_id, service)
        return found[service_id].minutes if service_id in found else None

    return await db.read(read)


async def test_tickets_after_a_refresh_count_those_ahead_without_a_new_run(db: Database) -> None:
    await busy_room(db)
    assert await refresh(db, T0 + SEC)
    runs = waits.runs

    shown = [(await issue(db, "mitid", T0 + 2 * SEC)).estimated_wait_minutes for _ in range(4)]

    # No forward run on the writer, and each ticket waits longer than the one before it.
    assert waits.runs == runs
    assert shown[0] is not None and shown[0] >= 1
    assert shown == sorted(set(shown))


async def test_a_refresh_that_saw_the_new_tickets_does_not_count_them_twice(
    db: Database,
) -> None:
    await busy_room(db)
    await refresh(db, T0 + SEC)
    first = await issue(db, "mitid", T0 + 2 * SEC)
    await issue(db, "mitid", T0 + 2 * SEC)

    assert await refresh(db, T0 + 3 * SEC)
    expected = await button(db, "mitid", T0 + 4 * SEC)
    after = await issue(db, "mitid", T0 + 4 * SEC)

    # The two waiting are in the new forecast, and in no carried-over work besides: the
    # ticket says what the button said.
    assert after.estimated_wait_minutes == expected
    assert expected is not None and first.estimated_wait_minutes is not None
    assert expected > first.estimated_wait_minutes


async def test_a_refresh_with_nothing_new_runs_nothing(db: Database) -> None:
    await busy_room(db)
    assert await refresh(db, T0 + SEC)

    assert not await refresh(db, T0 + 2 * SEC)


async def test_a_forecast_older_than_the_stale_limit_is_rebuilt_by_the_writer(
    db: Database,
) -> None:
    await busy_room(db)
    await refresh(db, T0 + SEC)
    runs = waits.runs

    late = await issue(db, "mitid", T0 + waits.ISSUE_STALE_SECONDS * SEC + 2 * SEC)

    assert waits.runs == runs + 1
    assert late.position == 1 and late.estimated_wait_minutes is not None
    assert late.estimated_wait_minutes >= 1


async def test_the_refresher_coalesces_a_burst_into_few_runs(db: Database) -> None:
    await busy_room(db)
    branch_id = await db.read(lambda conn: branches.row(conn, "lilleby").id)
    forecasts = Forecasts(db, POLICY, lambda: T0 + SEC)
    runs = waits.runs

    for _ in range(20):
        forecasts.changed(branch_id)
    await asyncio.sleep(0)
    await forecasts.settled(branch_id, within=1.0)
    await forecasts.stop()

    # One run for the burst (the branch's newest event did not move meanwhile).
    assert waits.runs == runs + 1
    assert forecasts.builds == 1


async def test_a_page_after_a_refresh_reuses_its_forecast(db: Database) -> None:
    await busy_room(db)
    await refresh(db, T0 + SEC)
    runs = waits.runs

    def kiosk_buttons(conn: Conn) -> object:
        return waits.service_waits(conn, branches.row(conn, "lilleby").id, T0 + 2 * SEC, POLICY)

    await db.read(kiosk_buttons)

    assert waits.runs == runs
