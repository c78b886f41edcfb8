"""Time one wait forecast with 200 waiting at 8 counters; prints one JSON line.

The branch: ten services over both areas, eight counters each serving four of them with
their own weights, six busy with a citizen, 200 tickets waiting (a few booked and
transferred), and expected arrivals for the next hours. Two figures:
- `run_ms`: the forward run of routing alone (`skranke.queue.forecast.run`), which answers
  every waiting ticket and every errand's kiosk button at once;
- `read_and_run_ms`: the same from a SQLite database (reading the room, learning the
  handling times, running), what a page pays when the branch has changed since the last one.
Quality bar (issue 14): under 2 ms per estimate. A page that finds the branch unchanged
reuses the forecast and pays only one indexed read.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time as clock
from datetime import UTC, datetime, timedelta
from pathlib import Path

from skranke.migrate import upgrade
from skranke.queue import waits
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec, create_branch
from skranke.queue.calling import call_next, set_counter_state
from skranke.queue.forecast import run
from skranke.queue.states import Area, CounterState, TicketSource
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database

WAITING = 200
COUNTERS = 8
REPETITIONS = 200
TARGET_MS = 2.0
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEYS = [f"s{i}" for i in range(10)]


def spec() -> BranchSpec:
    services = [
        ServiceSpec(
            key,
            key,
            key,
            Area.BORGERSERVICE if i < 5 else Area.LIBRARY,
            chr(ord("A") + i),
            5 + 2 * i,
            simple=i % 2 == 0,
        )
        for i, key in enumerate(KEYS)
    ]
    counters = [
        CounterSpec(
            c + 1,
            Area.BORGERSERVICE if c < 4 else Area.LIBRARY,
            {KEYS[(c + k) % 10]: 1.0 + (k == 0) for k in range(4)},
        )
        for c in range(COUNTERS)
    ]
    return BranchSpec("bench", "Bench", services, counters)


async def fill(db: Database) -> None:
    rng = random.Random(14)
    await db.write(create_branch, spec())
    policy = QueuePolicy()
    start = NOW - timedelta(hours=2)
    for i in range(WAITING + 6):
        at = start + timedelta(seconds=i * 30)
        await db.write(
            issue_ticket, "bench", rng.choice(KEYS), at, policy, source=TicketSource.STAFF
        )
    # Six counters call: busy with a citizen each; two more are open and free; 200 wait.
    for counter in range(1, 7):
        await db.write(call_next, counter, NOW - timedelta(minutes=counter), policy)
    for counter in range(7, COUNTERS + 1):
        await db.write(set_counter_state, counter, CounterState.OPEN, NOW)


def timed(fn: object, repetitions: int) -> list[float]:
    samples = []
    for _ in range(repetitions):
        started = clock.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((clock.perf_counter() - started) * 1000)
    return samples


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        db.start()
        try:
            await fill(db)
            policy = QueuePolicy()
            branch_id = 1

            def read_room(conn: object) -> object:
                return waits.room(conn, branch_id, NOW, policy)  # type: ignore[arg-type]

            room = await db.read(read_room)

            def read_and_run(conn: object) -> list[float]:
                samples = []
                for _ in range(REPETITIONS):
                    started = clock.perf_counter()
                    run(waits.room(conn, branch_id, NOW, policy))  # type: ignore[arg-type]
                    samples.append((clock.perf_counter() - started) * 1000)
                return samples

            full = await db.read(read_and_run)
        finally:
            await db.stop()
    alone = timed(lambda: run(room), REPETITIONS)  # type: ignore[arg-type]
    forecast = run(room)  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "estimate_cost",
                "waiting": WAITING,
                "counters": COUNTERS,
                "placed": len(forecast.calls),
                "expected_arrivals": len(room.arrivals),  # type: ignore[attr-defined]
                "run_ms": {
                    "median": round(statistics.median(alone), 3),
                    "p95": round(sorted(alone)[int(0.95 * len(alone))], 3),
                },
                "read_and_run_ms": {
                    "median": round(statistics.median(full), 3),
                    "p95": round(sorted(full)[int(0.95 * len(full))], 3),
                },
                "target_ms": TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    import asyncio

    asyncio.run(main())
