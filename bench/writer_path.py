"""What the SQLite writer thread spends on one kiosk ticket, with nothing else running.

Run: .venv/bin/python bench/writer_path.py [--tickets 1200] [--repeats 7]
Prints one JSON object. Calls `issue_with_print` (what `POST .../tickets` runs in its write
transaction) in batches of 20 per transaction, as group commit does under load, on one
connection of a migrated SQLite database with the demo branch. Compare with the server's CPU
per request in bench/issue_tickets.py: the difference is what the HTTP side and the hand-over
between the event loop and the writer thread cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _servers import demo_credentials

from skranke.migrate import upgrade
from skranke.queue.housekeeping import close_day
from skranke.queue.issuing import issue_with_print
from skranke.queue.views import QueuePolicy
from skranke.store.engine import _sqlite_engine, normalise_url
from skranke.store.tables import device_t

WALK_IN = ["mitid", "flytning", "sundhedskort", "laan", "digital", "print"]
BATCH = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1200, help="tickets per repeat")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='skranke-bench-')) / 'skranke.db'}"
    upgrade(url)
    asyncio.run(demo_credentials(url))
    # The writer thread's own engine set-up (WAL, BEGIN IMMEDIATE), without the thread.
    engine = _sqlite_engine(normalise_url(url), immediate=True, pool_size=1)
    policy = QueuePolicy()
    per_ticket_us = []
    with engine.connect() as conn:
        kiosk = conn.execute(sa.select(device_t.c.id).where(device_t.c.kind == "kiosk")).scalar()
        conn.rollback()
        for _ in range(args.repeats):
            now = datetime.now(UTC)
            began = time.thread_time()
            for start in range(0, args.tickets, BATCH):
                with conn.begin():
                    for i in range(start, min(start + BATCH, args.tickets)):
                        service = WALK_IN[i % len(WALK_IN)]
                        issue_with_print(conn, kiosk, "hovedbiblioteket", service, now, policy)
            per_ticket_us.append((time.thread_time() - began) / args.tickets * 1e6)
            with conn.begin():
                # Empty queues again, as in bench/issue_tickets.py.
                close_day(conn, now.replace(hour=23, minute=59))
    engine.dispose()
    print(
        json.dumps(
            {
                "bench": "writer_path",
                "database": "sqlite",
                "tickets_per_repeat": args.tickets,
                "cpu_us_per_ticket": {
                    "min": round(min(per_ticket_us), 1),
                    "median": round(statistics.median(per_ticket_us), 1),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
