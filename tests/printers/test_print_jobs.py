"""Print job rows on SQLite and PostgreSQL: made with the ticket, claimed once, dropped once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.demo import BRANCH, load_demo
from skranke.queue import issuing
from skranke.queue.issuing import PrinterProblem
from skranke.queue.views import QueuePolicy
from skranke.store import print_jobs
from skranke.store.engine import Database
from skranke.store.tables import device_t, event_t

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def kiosk_id(conn: Connection) -> int:
    found: int = conn.execute(
        sa.select(device_t.c.id).where(device_t.c.key == "kiosk-1")
    ).scalar_one()
    return found


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    database.start()
    await database.write(load_demo, NOW, "network://10.0.0.5:9100")
    try:
        yield database
    finally:
        await database.stop()


async def make_job(db: Database) -> int:
    device = await db.read(kiosk_id)
    _, job = await db.write(
        issuing.issue_with_print, device, BRANCH, "flytning", NOW, QueuePolicy()
    )
    assert job is not None
    return job


async def test_the_job_is_made_with_the_ticket_and_what_the_kiosk_showed(db: Database) -> None:
    job = await make_job(db)

    row = await db.read(print_jobs.job_status, job)
    (pending,) = await db.read(print_jobs.device_jobs, row["device_id"], NOW)

    assert (row["status"], row["attempts"], row["created_at"]) == ("queued", 0, NOW)
    assert row["payload"] == {"position": 1, "wait_minutes": 0}
    assert (pending.number, pending.printer_url, pending.language) == (
        "F001",
        "network://10.0.0.5:9100",
        "da",
    )


async def test_only_one_of_two_spoolers_claims_a_job(db: Database) -> None:
    job = await make_job(db)

    first = await db.write(print_jobs.claim, job, NOW, LEASE)
    second = await db.write(print_jobs.claim, job, NOW, LEASE)
    after_lease = await db.write(print_jobs.claim, job, NOW + LEASE, LEASE)

    assert (first, second, after_lease) == (True, False, True)
    assert (await db.read(print_jobs.job_status, job))["attempts"] == 2


async def test_a_printed_job_is_never_printed_or_dropped_again(db: Database) -> None:
    job = await make_job(db)
    await db.write(print_jobs.claim, job, NOW, LEASE)
    await db.write(print_jobs.printed, job, NOW)

    later = NOW + timedelta(hours=1)
    assert await db.write(print_jobs.claim, job, later, LEASE) is False
    assert await db.write(issuing.drop, [job], later) == []
    assert (await db.read(print_jobs.job_status, job))["status"] == "printed"


async def test_a_passing_failure_requeues_the_job_until_the_retry_time(db: Database) -> None:
    job = await make_job(db)
    device = await db.read(kiosk_id)
    await db.write(print_jobs.claim, job, NOW, LEASE)

    retry = NOW + timedelta(seconds=8)
    await db.write(
        issuing.record_failure,
        job,
        device,
        1,
        "kiosk-1",
        NOW,
        "refused",
        retry,
        PrinterProblem.UNREACHABLE,
    )

    assert await db.read(print_jobs.scan, NOW, NOW - timedelta(hours=1)) == ([], [])
    assert await db.read(print_jobs.scan, retry, NOW - timedelta(hours=1)) == ([device], [])
    alerts = await db.read(
        lambda conn: conn.execute(sa.select(event_t).where(event_t.c.kind == "printer.alert")).all()
    )
    assert [a.payload["problem"] for a in alerts] == ["unreachable"]


async def test_an_old_waiting_job_is_dropped_with_its_ticket_named(db: Database) -> None:
    job = await make_job(db)

    _, expired = await db.read(print_jobs.scan, NOW, NOW + timedelta(seconds=1))
    dropped = await db.write(issuing.drop, expired, NOW)

    assert expired == [job]
    assert [key for _, key in dropped] == ["kiosk-1"]
    assert (await db.read(print_jobs.job_status, job))["status"] == "dropped"
