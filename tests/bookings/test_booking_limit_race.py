"""One e-mail address books twenty different slots at once: the per-contact limit still holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import pytest

from skranke.queue import bookings
from skranke.queue.booking_slots import bookable_service, service_slots
from skranke.queue.calendar import COPENHAGEN
from skranke.store import Conn
from skranke.store.engine import Database

NOW = datetime(2027, 1, 4, 7, 0, tzinfo=COPENHAGEN)
RACERS = 20
LIMIT = 2


def pas_starts(conn: Conn, count: int) -> list[datetime]:
    service = bookable_service(conn, "lilleby", "pas")
    return [slot.start for slot in service_slots(conn, service, NOW)[:count]]


def coming(conn: Conn, email: str) -> int:
    return bookings.coming_count(conn, bookings.contact("x", email, None), NOW)


async def attempt(db: Database, start: datetime, who: bookings.Contact) -> str:
    try:
        await db.write(bookings.book, "lilleby", "pas", start, who, NOW, max_per_contact=LIMIT)
    except bookings.BookingLimit:
        return "limit"
    return "booked"


@pytest.mark.anyio
async def test_one_contact_booking_twenty_slots_at_once_gets_exactly_the_limit(
    db: Database,
) -> None:
    starts = await db.read(pas_starts, RACERS)
    assert len(starts) == RACERS and len(set(starts)) == RACERS
    # The same person, spelled as people do: the limit is on the normalised address.
    spellings = ["Samler@Example.dk", "samler@example.dk", " SAMLER@example.DK "]
    who = [bookings.contact("Samler", spellings[n % 3], None) for n in range(RACERS)]

    outcomes = await asyncio.gather(*(attempt(db, s, w) for s, w in zip(starts, who, strict=True)))

    assert Counter(outcomes) == {"booked": LIMIT, "limit": RACERS - LIMIT}
    assert await db.read(coming, "samler@example.dk") == LIMIT


@pytest.mark.anyio
async def test_a_shared_phone_number_counts_across_e_mail_addresses(db: Database) -> None:
    starts = await db.read(pas_starts, RACERS)
    who = [bookings.contact("Familie", f"m{n}@example.dk", "12 34 56 78") for n in range(RACERS)]

    outcomes = await asyncio.gather(*(attempt(db, s, w) for s, w in zip(starts, who, strict=True)))

    assert Counter(outcomes) == {"booked": LIMIT, "limit": RACERS - LIMIT}
    later = NOW + timedelta(minutes=1)
    phone_only = bookings.contact("Familie", None, "+4512345678")
    assert await db.read(bookings.coming_count, phone_only, later) == LIMIT
