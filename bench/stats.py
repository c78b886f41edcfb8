"""A year of history for a six-counter branch, and how fast the statistics read it.

Generates the demo branch's year (weekdays of Dec 2025 - Nov 2026, about 150,000 tickets
with transfers, recalls, no-shows, parkings, check-ins and cancellations, and the events the
use cases would have written, padded with booking events to about 1,000,000) by bulk
inserts, not through the use cases. Then, through the app in process, times:

- `GET /api/v1/stats` for a month and for the year (the figures the page shows),
- `GET /admin/stats` (the page: figures, charts, tables) for a month and for the year,
- `GET /admin/stats/tickets.csv` for the year, streamed, with the peak of Python memory
  (tracemalloc) while it streams, against the size of the file.

Targets (issue 12): month < 300 ms, year < 2 s, CSV of a year < 5 s with flat memory.
Prints one JSON line per backend. Usage: python -m bench.stats [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics as stats
import tempfile
import time as clock
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.demo import BRANCH, load_demo
from skranke.migrate import upgrade
from skranke.queue.accounts import create_token
from skranke.store.engine import Database
from skranke.store.tables import counter_t, event_t, service_t, staff_user_t, ticket_t
from skranke.web.app import create_app

ZONE = ZoneInfo("Europe/Copenhagen")
FIRST, LAST = date(2025, 12, 1), date(2026, 11, 30)
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
PER_DAY = 600
EVENTS = 1_000_000
REPEAT = 3
TARGETS_MS = {"month": 300, "year": 2000, "csv_year": 5000}


def days() -> Iterator[date]:
    day = FIRST
    while day <= LAST:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def local(day: date, minute: float) -> datetime:
    base = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZONE)
    return (base + timedelta(minutes=minute)).astimezone(UTC)


class History:
    """Rows for the ticket and event tables, made in memory in the shape the use cases write."""

    def __init__(self, services: list[Any], counters: list[Any], users: list[int]) -> None:
        self.rnd = random.Random(12)
        self.services, self.counters, self.users = services, counters, users
        self.tickets: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.next_id = 1

    def event(
        self, kind: str, at: datetime, ticket: int | None, counter: int | None, **p: Any
    ) -> None:
        self.events.append(
            {
                "at": at,
                "kind": kind,
                "branch_id": 1,
                "ticket_id": ticket,
                "counter_id": counter,
                "payload": p,
            }
        )

    def day(self, day: date) -> None:
        rnd = self.rnd
        numbers: dict[str, int] = {}
        for i, c in enumerate(self.counters):
            user = self.users[i % len(self.users)]
            self.event("counter.state", local(day, 0), None, c.id, state="open", user_id=user)
            self.event("counter.state", local(day, 180), None, c.id, state="paused", user_id=user)
            self.event("counter.state", local(day, 210), None, c.id, state="open", user_id=user)
            self.event("counter.state", local(day, 420), None, c.id, state="closed", user_id=user)
        for _ in range(PER_DAY):
            service = rnd.choice(self.services)
            numbers[service.prefix] = numbers.get(service.prefix, 0) + 1
            number = f"{service.prefix}{numbers[service.prefix]:03d}"
            issued = local(day, rnd.uniform(0, 400))
            self.leg(day, service, number, issued, issued, None, rnd.random() < 0.1)

    def leg(
        self,
        day: date,
        service: Any,
        number: str,
        issued: datetime,
        queued: datetime,
        previous: int | None,
        booked: bool,
    ) -> None:
        rnd = self.rnd
        tid = self.next_id
        self.next_id += 1
        counter = rnd.choice(self.counters)
        user = self.users[self.counters.index(counter) % len(self.users)]
        first = queued + timedelta(minutes=rnd.expovariate(1 / 9))
        roll = rnd.random()
        recalls = 1 if rnd.random() < 0.08 else 0
        called = first + timedelta(minutes=2 * recalls)
        finished = called + timedelta(minutes=rnd.expovariate(1 / 11))
        state = "done"
        if roll < 0.02:
            state = "cancelled"
        elif roll < 0.05:
            state = "no_show"
        elif roll < 0.10 and previous is None:
            state = "transferred"
        row = {
            "id": tid,
            "branch_id": 1,
            "service_id": service.id,
            "day": day,
            "number": number,
            "state": state,
            "source": "checkin" if booked else "kiosk",
            "language": "da",
            "tracking": f"bench-{tid}",
            "lane": 2 if previous else (1 if booked else 0),
            "booking_start": issued + timedelta(minutes=5) if booked else None,
            "transferred_from_id": previous,
            "target_counter_id": None,
            "counter_id": None if state == "cancelled" else counter.id,
            "recall_count": recalls,
            "issued_at": issued,
            "called_at": None if state == "cancelled" else called,
            "first_called_at": None if state == "cancelled" else first,
            "served_at": called if state in ("done", "transferred") else None,
            "finished_at": finished if state != "no_show" else called + timedelta(minutes=2),
            "called_by_user_id": None if state == "cancelled" else user,
        }
        self.tickets.append(row)
        if previous is None:
            self.event("ticket.issued", issued, tid, None, number=number, service=service.key)
        if state == "cancelled":
            self.event("ticket.cancelled", row["finished_at"], tid, None, number=number)
            return
        self.event("ticket.called", first, tid, counter.id, number=number, user_id=user)
        if recalls:
            self.event("ticket.recalled", called, tid, counter.id, number=number, user_id=user)
        if state == "no_show":
            self.event("ticket.no_show", row["finished_at"], tid, counter.id, user_id=user)
            return
        self.event("ticket.serving", called, tid, counter.id, user_id=user)
        if state == "transferred":
            self.event("ticket.transferred", finished, tid, counter.id, to_ticket_id=tid + 1)
            target = rnd.choice(self.services)
            self.leg(day, target, number, issued, finished, tid, False)
            return
        self.event("ticket.finished", finished, tid, counter.id, user_id=user)

    def pad(self, day: date, per_day: int) -> None:
        """Events of other kinds (bookings) up to `per_day`: the statistics must not read them."""
        while len(self.events) < per_day:
            self.event(
                "booking.created", local(day, self.rnd.uniform(-60, 480)), None, None, code="B"
            )


def fill(conn: Connection) -> dict[str, int]:
    load_demo(conn, datetime.now(UTC), None)
    services = list(conn.execute(sa.select(service_t).where(service_t.c.walk_in.is_(True))))
    counters = list(conn.execute(sa.select(counter_t).order_by(counter_t.c.number)))
    users = list(conn.execute(sa.select(staff_user_t.c.id)).scalars())
    history = History(services, counters, users)
    every = list(days())
    totals = {"tickets": 0, "events": 0}
    # A day at a time: a year of rows in memory at once would take gigabytes.
    for day in every:
        history.day(day)
        history.pad(day, EVENTS // len(every))
        history.events.sort(key=lambda e: e["at"])
        conn.execute(sa.insert(ticket_t), history.tickets)
        conn.execute(sa.insert(event_t), history.events)
        totals["tickets"] += len(history.tickets)
        totals["events"] += len(history.events)
        history.tickets, history.events = [], []
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT setval('ticket_id_seq', (SELECT max(id) FROM ticket))")
    return totals


def analyse(conn: Connection) -> None:
    conn.exec_driver_sql("ANALYZE")


async def load(url: str) -> tuple[dict[str, int], float]:
    db = Database(url)
    db.start()
    try:
        started = clock.perf_counter()
        counts: dict[str, int] = await db.write(fill)
        await db.write(analyse)
        return counts, clock.perf_counter() - started
    finally:
        await db.stop()


def token(url: str) -> str:
    async def run() -> str:
        db = Database(url)
        db.start()
        try:
            return await db.write(create_token, "admin", "bench", datetime.now(UTC))  # type: ignore[no-any-return]
        finally:
            await db.stop()

    return asyncio.run(run())


def timed(client: TestClient, path: str, **kw: Any) -> float:
    runs = []
    for _ in range(REPEAT):
        started = clock.perf_counter()
        response = client.get(path, **kw)
        runs.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return round(stats.median(runs), 1)


def period(first: date, last: date) -> str:
    return f"branch={BRANCH}&from={first}&to={last}"


def log_in(client: TestClient) -> None:
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    client.post(
        "/login", data={"csrf": csrf.group(1), "username": "admin", "password": "demo-admin"}
    )


def stream(client: TestClient, query: str, memory: bool) -> tuple[float, int, int]:
    """Reads the year's ticket rows as they stream: (milliseconds, rows, bytes)."""
    started = clock.perf_counter()
    size = rows = 0
    with client.stream("GET", f"/admin/stats/tickets.csv?{query}") as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
            rows += chunk.count(b"\n")
    return round((clock.perf_counter() - started) * 1000, 1), rows - 1, size


def measure(url: str) -> dict[str, Any]:
    bearer = {"Authorization": f"Bearer {token(url)}"}
    settings = Settings(database_url=url, public_url="http://testserver", jobs_enabled=False)
    with TestClient(create_app(settings)) as client:
        month, year = period(*MONTH), period(FIRST, LAST)
        figures = {
            "api_month_ms": timed(client, f"/api/v1/stats?{month}", headers=bearer),
            "api_year_ms": timed(client, f"/api/v1/stats?{year}", headers=bearer),
        }
        log_in(client)
        figures["page_month_ms"] = timed(client, f"/admin/stats?{month}")
        figures["page_year_ms"] = timed(client, f"/admin/stats?{year}")
        figures["csv_year_ms"], figures["csv_rows"], size = stream(client, year, memory=False)
        figures["csv_mb"] = round(size / 1e6, 1)
        # tracemalloc slows Python several times over: memory is measured in a second pass.
        tracemalloc.start()
        stream(client, year, memory=True)
        figures["csv_peak_python_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
        tracemalloc.stop()
    figures["ok"] = (
        figures["page_month_ms"] < TARGETS_MS["month"]
        and figures["page_year_ms"] < TARGETS_MS["year"]
        and figures["csv_year_ms"] < TARGETS_MS["csv_year"]
    )
    return figures


def sqlite_url(folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    return url


def postgres(name: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def run(backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        if backend == "sqlite":
            url = sqlite_url(Path(folder))
        else:
            name = "skranke_bench_stats"
            postgres(name, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            postgres(name, f"CREATE DATABASE {name}")
            url = f"postgresql://postgres@127.0.0.1:5432/{name}"
            upgrade(url)
        try:
            counts, seconds = asyncio.run(load(url))
            return {
                "bench": "stats",
                "backend": backend,
                **counts,
                "load_s": round(seconds, 1),
                **measure(url),
                "targets_ms": TARGETS_MS,
            }
        finally:
            if backend == "postgres":
                postgres(name, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    backends = (
        ["sqlite", "postgres"]
        if parser.parse_args().backend == "both"
        else [parser.parse_args().backend]
    )
    for backend in backends:
        print(json.dumps(run(backend)), flush=True)


if __name__ == "__main__":
    main()
