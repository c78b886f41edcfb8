"""The slots endpoint's work with the database: 60 days of a service holding 5,000 bookings.

Same branch and bookings as `bench/slots.py`, stored in SQLite; each repetition runs the
grouped seat count and the slot computation in one read, as `GET .../slots` does.
Prints one JSON line. Quality bar (DESIGN.md section 10): under 20 ms.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time as clock
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.slots import BOOKINGS, DAYS, NOW, TARGET_MS, build
from skranke.migrate import upgrade
from skranke.queue.booking_slots import (
    BookingSpec,
    bookable_service,
    make_bookable,
    service_slots,
    set_closed_dates,
)
from skranke.queue.branches import BranchSpec, ServiceSpec, create_branch
from skranke.queue.calendar import calendar_hours_to_json
from skranke.queue.states import Area
from skranke.store.engine import Database
from skranke.store.tables import booking_t

REPETITIONS = 100


def setup(conn: Connection) -> None:
    calendar, service, taken = build()
    spec = BranchSpec(
        key="bench",
        name="Bench",
        services=[ServiceSpec("pas", "Pas", "Passport", Area.BORGERSERVICE, "P", 15, False)],
        counters=[],
        hours=calendar_hours_to_json(calendar),
    )
    create_branch(conn, spec)
    make_bookable(conn, "bench", BookingSpec("pas", 15, 4, DAYS, service.lead_minutes))
    set_closed_dates(conn, "bench", calendar.closed_dates)
    row = bookable_service(conn, "bench", "pas")
    starts = [start for start, count in taken.items() for _ in range(count)]
    rows = [
        {
            "code": f"B{n:07d}",
            "branch_id": row.branch_id,
            "service_id": row.id,
            "start": start,
            "end": start,
            "name": "",
            "language": "da",
            "state": "booked",
            "created_at": datetime.now(UTC),
        }
        for n, start in enumerate(starts)
    ]
    conn.execute(sa.insert(booking_t), rows)


def timed(conn: Connection) -> tuple[list[float], int]:
    service = bookable_service(conn, "bench", "pas")
    timings, offered = [], 0
    for _ in range(REPETITIONS):
        began = clock.perf_counter()
        offered = len(service_slots(conn, service, NOW))
        timings.append((clock.perf_counter() - began) * 1000)
    return timings, offered


async def measure(url: str) -> dict[str, object]:
    db = Database(url)
    db.start()
    try:
        await db.write(setup)
        timings, offered = await db.read(timed)
    finally:
        await db.stop()
    p99 = statistics.quantiles(timings, n=100)[98]
    return {
        "bench": "slots_db",
        "database": "sqlite",
        "days": DAYS,
        "bookings": BOOKINGS,
        "slots_offered": offered,
        "repetitions": REPETITIONS,
        "median_ms": round(statistics.median(timings), 3),
        "p99_ms": round(p99, 3),
        "target_ms": TARGET_MS,
        "ok": p99 < TARGET_MS,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        print(json.dumps(asyncio.run(measure(url))))


if __name__ == "__main__":
    main()
