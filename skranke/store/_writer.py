"""SQLite's one writer: a thread that runs write jobs in batches, one transaction per batch.

SQLite allows one writer at a time anyway. Running every write on one thread means writers
queue instead of failing with "database is locked", and a batch of jobs that arrived together
shares one BEGIN IMMEDIATE and one COMMIT (group commit), which is where most of a small
transaction's cost goes. A bad request never takes good ones down with it:

- a job that raises before it changed a row (an ordinary 404, 409 or bad input: the use cases
  check before they write) simply fails; its events are dropped and the batch goes on;
- a job that raises after changing rows rolls the batch back, and the batch runs again with a
  SAVEPOINT around each job, so that one is rolled back alone. Only then do jobs run twice.

Savepoints are not taken up front because each is one more call into SQLite, and under load
every call costs the writer a trip for the GIL: a savepoint per job cost a fifth of the
tickets per second (docs/performance.md).

Jobs submitted in one turn of an event loop reach the thread together, in one hand-over: each
hand-over may wake the thread, and the wake-up, paid on the event loop thread while it holds
the GIL, cost it about as much as a request's JSON (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection, Engine

from skranke.store import memo
from skranke.store.events import take_pending

Call = Callable[[Connection], Any]
Outcome = tuple[bool, Any, list[dict[str, Any]]]  # ok, result or exception, events
MAX_BATCH = 64


class _Job:
    __slots__ = ("call", "future", "loop")

    def __init__(self, call: Call, future: asyncio.Future[Any], loop: asyncio.AbstractEventLoop):
        self.call, self.future, self.loop = call, future, loop


def _settle(job: _Job, outcome: Outcome) -> None:
    if job.future.cancelled():
        return
    ok, value, events = outcome
    if ok:
        job.future.set_result((value, events))
    else:
        job.future.set_exception(value)


def _settle_all(settled: list[tuple[_Job, Outcome]]) -> None:
    for job, outcome in settled:
        _settle(job, outcome)


class SQLiteWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._jobs: queue.SimpleQueue[list[_Job] | None] = queue.SimpleQueue()
        # Jobs of this turn of each loop, handed over together when the turn ends.
        self._turn: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        self._thread = threading.Thread(target=self._run, name="skranke-db-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        # Jobs of the current turn go first: their submitters are waiting for them.
        for loop in list(self._turn):
            self._hand_over(loop)
        self._jobs.put(None)
        self._thread.join()

    def submit(self, call: Call) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        turn = self._turn.get(loop)
        if turn is None:
            turn = self._turn[loop] = []
            loop.call_soon(self._hand_over, loop)
        turn.append(_Job(call, future, loop))
        return future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        jobs = self._turn.pop(loop, None)
        if jobs:
            self._jobs.put(jobs)

    def _run(self) -> None:
        with self.engine.connect() as conn:
            waiting: list[_Job] = []
            stop = False
            while not stop or waiting:
                if not waiting:
                    jobs = self._jobs.get()
                    if jobs is None:
                        return
                    waiting = jobs
                while len(waiting) < MAX_BATCH and not stop:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                    else:
                        waiting += more
                batch, waiting = waiting[:MAX_BATCH], waiting[MAX_BATCH:]
                self._deliver(self._run_batch(conn, batch))

    def _deliver(self, settled: list[tuple[_Job, Outcome]]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Outcome]]] = {}
        for job, outcome in settled:
            by_loop.setdefault(job.loop, []).append((job, outcome))
        for loop, items in by_loop.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle_all, items)

    def _run_batch(self, conn: Connection, batch: list[_Job]) -> list[tuple[_Job, Outcome]]:
        if len(batch) == 1:
            return [(batch[0], _alone(conn, batch[0].call))]
        try:
            with conn.begin():
                settled = _optimistic(conn, _driver(conn), batch)
                if settled is None:
                    raise _WroteThenFailed
                return settled
        except _WroteThenFailed:
            take_pending(conn)
            memo.forget(conn)
        except Exception:
            # The COMMIT itself failed (disk full, I/O error): nothing of the batch is stored,
            # so each job may run again on its own and get its own answer.
            take_pending(conn)
            memo.forget(conn)
            return [(job, _alone(conn, job.call)) for job in batch]
        try:
            with conn.begin():
                driver = _driver(conn)
                return [(job, _isolated(conn, driver, job.call)) for job in batch]
        except Exception:
            take_pending(conn)
            memo.forget(conn)
            return [(job, _alone(conn, job.call)) for job in batch]


class _WroteThenFailed(Exception):
    pass


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


def _optimistic(
    conn: Connection, driver: Any, batch: list[_Job]
) -> list[tuple[_Job, Outcome]] | None:
    """Each job's outcome, or None when one failed after changing rows (it cannot be undone
    alone without a savepoint)."""
    settled = []
    for job in batch:
        before = driver.total_changes
        try:
            outcome = _attempt(conn, job.call)
        except Exception as exc:
            if driver.total_changes != before:
                return None
            # It only read: nothing to undo but the events it meant to publish.
            take_pending(conn)
            outcome = (False, exc, [])
        settled.append((job, outcome))
    return settled


def _alone(conn: Connection, call: Call) -> Outcome:
    try:
        with conn.begin():
            return _attempt(conn, call)
    except Exception as exc:
        take_pending(conn)
        return False, exc, []


def _isolated(conn: Connection, driver: Any, call: Call) -> Outcome:
    # Straight on the driver: SQLAlchemy's begin_nested costs a statement's worth of Python
    # per job on the one writer thread, and nothing here needs it to know of the savepoint.
    driver.execute("SAVEPOINT job")
    try:
        outcome = _attempt(conn, call)
    except Exception as exc:
        driver.execute("ROLLBACK TO SAVEPOINT job")
        driver.execute("RELEASE SAVEPOINT job")
        # The job's events and what it remembered never happened.
        take_pending(conn)
        memo.forget(conn)
        return False, exc, []
    driver.execute("RELEASE SAVEPOINT job")
    return outcome


def _attempt(conn: Connection, call: Call) -> Outcome:
    result = call(conn)
    return True, result, take_pending(conn)
