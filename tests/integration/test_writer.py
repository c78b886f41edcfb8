"""SQLite's one writer: a failing job in a group commit fails alone; good ones are stored once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from skranke.queue.errors import Conflict
from skranke.store import Conn
from skranke.store.engine import Database
from skranke.store.events import record
from skranke.store.tables import event_t
from tests.integration.conftest import MONDAY_MORNING as T0

pytestmark = pytest.mark.anyio


class Jobs:
    """Write jobs that count how often they ran; the writer thread runs them."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.gate = threading.Event()

    def slow_first(self, conn: Conn) -> None:
        # Holds the writer so the next jobs queue up and arrive as one batch.
        self.gate.wait(5)
        self.runs["first"] += 1

    def good(self, conn: Conn, name: str) -> int:
        self.runs[name] += 1
        return record(conn, "test.good", T0, job=name)

    def bad(self, conn: Conn) -> None:
        # As the use cases do for a 404 or 409: checked before anything is written.
        self.runs["bad"] += 1
        raise Conflict("Ticket K001 changed meanwhile")

    def bad_after_writing(self, conn: Conn) -> None:
        self.runs["bad"] += 1
        record(conn, "test.bad", T0)
        raise Conflict("Ticket K001 changed meanwhile")


async def run_batch(sqlite_db: str, bad: str) -> tuple[list[object], Jobs, list[str], list[str]]:
    """Runs good job a, the failing job `bad` and good job b as one batch of the writer."""
    db = Database(sqlite_db)
    db.start()
    published: list[str] = []
    db.listeners.append(lambda events: published.extend(e["type"] for e in events))
    jobs = Jobs()
    try:
        first = asyncio.ensure_future(db.write(jobs.slow_first))
        await asyncio.sleep(0.05)
        batch = [
            asyncio.ensure_future(db.write(jobs.good, "a")),
            asyncio.ensure_future(db.write(getattr(jobs, bad))),
            asyncio.ensure_future(db.write(jobs.good, "b")),
        ]
        await asyncio.sleep(0.05)
        jobs.gate.set()
        await first
        results = await asyncio.gather(*batch, return_exceptions=True)

        def kinds(conn: Conn) -> list[str]:
            return list(conn.execute(sa.select(event_t.c.kind).order_by(event_t.c.seq)).scalars())

        stored = await db.read(kinds)
    finally:
        await db.stop()
    return results, jobs, stored, published


async def test_an_ordinary_failure_in_a_batch_fails_alone_and_nothing_runs_twice(
    sqlite_db: str,
) -> None:
    results, jobs, stored, published = await run_batch(sqlite_db, "bad")

    assert isinstance(results[1], Conflict)
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert jobs.runs == {"first": 1, "a": 1, "bad": 1, "b": 1}
    assert stored == ["test.good", "test.good"]
    assert published == ["test.good", "test.good"]


async def test_a_job_failing_after_it_wrote_is_undone_alone_and_good_jobs_stored_once(
    sqlite_db: str,
) -> None:
    results, _jobs, stored, published = await run_batch(sqlite_db, "bad_after_writing")

    assert isinstance(results[1], Conflict)
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert stored == ["test.good", "test.good"]
    assert published == ["test.good", "test.good"]


async def test_jobs_submitted_in_one_turn_of_the_loop_commit_as_one_batch(sqlite_db: str) -> None:
    db = Database(sqlite_db)
    db.start()
    transactions: list[object] = []

    def note(conn: Conn) -> None:
        # One transaction object per BEGIN ... COMMIT (kept, so none is reused).
        transactions.append(conn.get_transaction())

    try:
        await asyncio.gather(*(db.write(note) for _ in range(10)))
    finally:
        await db.stop()

    assert len(transactions) == 10
    assert all(t is transactions[0] for t in transactions)


async def test_jobs_submitted_just_before_stop_still_run(sqlite_db: str) -> None:
    db = Database(sqlite_db)
    db.start()
    jobs = Jobs()

    pending = [asyncio.ensure_future(db.write(jobs.good, name)) for name in ("a", "b")]
    await asyncio.sleep(0)  # the writes are submitted, not yet handed to the thread
    await db.stop()

    assert all(isinstance(seq, int) for seq in await asyncio.gather(*pending))
    assert jobs.runs == {"a": 1, "b": 1}
