"""Scheduled jobs: each safe to run twice at once, and from two processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke import jobs
from skranke.config import Settings
from skranke.notify.dispatch import Notifier
from skranke.notify.senders import LogEmailSender, LogSmsGateway
from skranke.queue import bookings
from skranke.queue.booking_slots import bookable_service, service_slots
from skranke.queue.calendar import COPENHAGEN
from skranke.store.engine import Database
from skranke.store.tables import booking_t, metadata, outbox_t
from tests.bookings.conftest import setup_town
from tests.conftest import run_async

MONDAY_MORNING = datetime(2027, 1, 4, 7, 0, tzinfo=COPENHAGEN)
SETTINGS = Settings(reminder_hours_before=24, no_show_grace_minutes=15, retention_days=30)


def book_many(conn: Connection, now: datetime, count: int) -> list[str]:
    course = bookable_service(conn, "lilleby", "it-kursus")
    seats = [s.start for s in service_slots(conn, course, now) for _ in range(s.seats_left)]
    codes = []
    for n, start in enumerate(seats[:count]):
        who = bookings.contact(f"Kursist Nummer{n}", f"kursist{n}@example.dk", f"2000{n:04d}")
        codes.append(bookings.book(conn, "lilleby", "it-kursus", start, who, now).code)
    return codes


def outbox(conn: Connection, template: str) -> list[tuple[int, str]]:
    query = sa.select(outbox_t.c.booking_id, outbox_t.c.channel).where(
        outbox_t.c.template == template
    )
    return sorted((r.booking_id, r.channel) for r in conn.execute(query))


def states(conn: Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(booking_t.c.state, sa.func.count()).group_by(booking_t.c.state))
    return {state: count for state, count in rows}


@pytest.mark.anyio
async def test_reminder_job_run_twice_at_once_sends_each_reminder_once(db: Database) -> None:
    await db.write(book_many, MONDAY_MORNING - timedelta(days=3), 30)
    email, sms = LogEmailSender(), LogSmsGateway()
    notifier = Notifier(email, sms, "skranke@example.dk", lambda code: f"https://x/{code}")

    queued = await asyncio.gather(*(jobs.remind(db, MONDAY_MORNING, SETTINGS) for _ in range(2)))
    for _ in range(3):
        await asyncio.gather(*(notifier.send_due(db, MONDAY_MORNING) for _ in range(2)))
    reminded = [m for m in email.sent if m["Subject"].startswith("Påmindelse")]
    texts = [text for _, text in sms.sent if text.startswith("Påmindelse")]

    # Monday's three course hours of eight seats start within a day; Tuesday's do not.
    assert sorted(queued) == [0, 24]
    reminders = await db.read(outbox, "reminder")
    assert len(reminders) == 48 and len(set(reminders)) == 48
    assert len(reminded) == 24 and len({m["To"] for m in reminded}) == 24
    assert len(texts) == 24 and len(set(texts)) == 24
    assert len(email.sent) == len(sms.sent) == 30 + 24


REMIND_SCRIPT = """
import asyncio, sys
from datetime import datetime
from skranke import jobs
from skranke.config import Settings
from skranke.store.engine import Database

async def main():
    db = Database(sys.argv[1])
    db.start()
    try:
        print(await jobs.remind(db, datetime.fromisoformat(sys.argv[2]), Settings()))
    finally:
        await db.stop()

asyncio.run(main())
"""


async def with_db(url: str, fn: object, *args: object) -> object:
    db = Database(url)
    db.start()
    try:
        return await db.write(fn, *args)  # type: ignore[arg-type]
    finally:
        await db.stop()


@pytest.mark.postgres
def test_two_processes_queue_each_reminder_once(postgres_db: str) -> None:
    run_async(with_db(postgres_db, setup_town))
    run_async(with_db(postgres_db, book_many, MONDAY_MORNING - timedelta(days=3), 24))
    args = [sys.executable, "-c", REMIND_SCRIPT, postgres_db, MONDAY_MORNING.isoformat()]

    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=60)[0] for p in procs]

    reminders: list[tuple[int, str]] = run_async(with_db(postgres_db, outbox, "reminder"))  # type: ignore[assignment]
    assert all(p.returncode == 0 for p in procs)
    assert sum(int(out) for out in outputs) == 24
    assert len(reminders) == 48 and len(set(reminders)) == 48


@pytest.mark.anyio
async def test_no_show_sweep_is_idempotent(db: Database) -> None:
    await db.write(book_many, MONDAY_MORNING - timedelta(days=3), 10)
    # 09:00 + 15 minutes' grace has passed; 10:00 has not.
    after_nine = MONDAY_MORNING.replace(hour=9, minute=20)

    first = await jobs.sweep_no_shows(db, after_nine, SETTINGS)
    second = await jobs.sweep_no_shows(db, after_nine, SETTINGS)

    assert (first, second) == (8, 0)
    assert await db.read(states) == {"no_show": 8, "booked": 2}


def personal_text(conn: Connection) -> list[str]:
    """Every text value of every table, to search for what must be gone."""
    found = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.JSON))]
        for row in conn.execute(sa.select(*columns)) if columns else ():
            found.extend(str(value) for value in row if value is not None)
    return found


@pytest.mark.anyio
async def test_purge_leaves_no_name_email_or_phone_of_old_bookings(db: Database) -> None:
    codes = await db.write(book_many, MONDAY_MORNING - timedelta(days=3), 5)
    notifier = Notifier(LogEmailSender(), LogSmsGateway(), "x@example.dk", lambda c: c)
    await notifier.send_due(db, MONDAY_MORNING)
    later = MONDAY_MORNING + timedelta(days=31)

    first = await jobs.purge(db, later, SETTINGS)
    second = await jobs.purge(db, later, SETTINGS)
    text = " ".join(await db.read(personal_text))

    assert (first, second) == (5, 0)
    assert "Kursist" not in text and "Nummer" not in text
    assert "@example.dk" not in text and "2000" not in text.replace("2027", "")
    assert all(code in text for code in codes)
    assert await db.read(states) == {"booked": 5}


def made_late(conn: Connection, count: int) -> set[int]:
    """Pretend the first `count` bookings were made 20 hours before their start."""
    rows = list(conn.execute(sa.select(booking_t.c.id, booking_t.c.start).order_by(booking_t.c.id)))
    for row in rows[:count]:
        conn.execute(
            sa.update(booking_t)
            .where(booking_t.c.id == row.id)
            .values(created_at=row.start - timedelta(hours=20))
        )
    return {row.id for row in rows[:count]}


@pytest.mark.anyio
async def test_a_booking_made_the_day_before_gets_no_reminder(db: Database) -> None:
    # Its confirmation has just gone out; a reminder in the same minute says it twice.
    await db.write(book_many, MONDAY_MORNING - timedelta(days=3), 30)
    late = await db.write(made_late, 10)

    queued = await jobs.remind(db, MONDAY_MORNING, SETTINGS)
    again = await jobs.remind(db, MONDAY_MORNING + timedelta(minutes=1), SETTINGS)

    reminded = {booking for booking, _ in await db.read(outbox, "reminder")}
    assert reminded and not reminded & late
    assert queued == len(reminded) and again == 0
