"""Bookable services in the database: their calendar, the seats taken, and taking one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from skranke.queue.calendar import BranchCalendar, calendar_from_json
from skranke.queue.errors import Conflict, InvalidInput, NotFound
from skranke.queue.slots import BookableService, Slot, free_slots, nearest_free_slots
from skranke.queue.states import BookingState
from skranke.store import memo
from skranke.store.tables import booking_t, branch_t, service_t

# Every state but cancelled holds its seat: a no-show or a served booking still used it.
HOLDS_SEAT = tuple(s.value for s in BookingState if s != BookingState.CANCELLED)

_SERVICE_COLUMNS = (
    service_t,
    branch_t.c.key.label("branch_key"),
    branch_t.c.name.label("branch_name"),
    branch_t.c.address.label("branch_address"),
    branch_t.c.timezone,
    branch_t.c.hours,
    branch_t.c.closed_dates,
)
_TAKEN = (
    sa.select(booking_t.c.start, sa.func.count())
    .where(
        booking_t.c.service_id == sa.bindparam("service_id"),
        booking_t.c.state.in_(HOLDS_SEAT),
        booking_t.c.start >= sa.bindparam("lo"),
        booking_t.c.start <= sa.bindparam("hi"),
    )
    .group_by(booking_t.c.start)
)


class SlotTaken(Conflict):
    code = "slot_taken"

    def __init__(self, detail: str, nearest: list[Slot]) -> None:
        super().__init__(detail)
        self.nearest = nearest


def bookable_service(conn: Connection, branch_key: str | None, service_key: str) -> Row[Any]:
    """A bookable service by key; the branch may be left out where only one offers it."""
    query = (
        sa.select(*_SERVICE_COLUMNS)
        .join(branch_t, branch_t.c.id == service_t.c.branch_id)
        .where(
            service_t.c.key == service_key,
            service_t.c.bookable.is_(True),
            service_t.c.active.is_(True),
        )
    )
    if branch_key is not None:
        query = query.where(branch_t.c.key == branch_key)
    rows = conn.execute(query.limit(2)).all()
    if not rows:
        where = f" at branch {branch_key!r}" if branch_key else ""
        raise NotFound(f"Expected a bookable service, but got {service_key!r}{where}")
    if len(rows) > 1:
        raise InvalidInput(
            f"Service {service_key!r} is offered at several branches; add ?branch=<branch key>"
        )
    return rows[0]


def bookable_services(conn: Connection) -> list[Row[Any]]:
    return list(
        conn.execute(
            sa.select(*_SERVICE_COLUMNS)
            .join(branch_t, branch_t.c.id == service_t.c.branch_id)
            .where(service_t.c.bookable.is_(True), service_t.c.active.is_(True))
            .order_by(branch_t.c.name, service_t.c.area, service_t.c.sort_order, service_t.c.id)
        )
    )


def calendar_of(service: Row[Any]) -> BranchCalendar:
    return calendar_from_json(service.hours or {}, closed_dates=_dates(service.closed_dates or []))


def rules_of(service: Row[Any]) -> BookableService:
    return BookableService(
        slot_minutes=service.slot_minutes,
        capacity=service.capacity,
        lead_minutes=service.lead_minutes,
        advance_days=service.advance_days,
    )


def taken_seats(
    conn: Connection, service_id: int, lo: datetime, hi: datetime
) -> dict[datetime, int]:
    """Seats held per booking start in [lo, hi]: one grouped index range scan."""
    rows = conn.execute(_TAKEN, {"service_id": service_id, "lo": lo, "hi": hi})
    return {start: count for start, count in rows}


def service_slots(conn: Connection, service: Row[Any], now: datetime) -> list[Slot]:
    """The service's free slots over its whole advance window."""
    rules = rules_of(service)
    hi = now + timedelta(days=rules.advance_days + 1)
    taken = taken_seats(conn, service.id, now - timedelta(days=1), hi)
    return free_slots(calendar_of(service), rules, taken, now)


def slots_between(
    conn: Connection,
    branch_key: str | None,
    service_key: str,
    now: datetime,
    lo: datetime | None = None,
    hi: datetime | None = None,
) -> tuple[Row[Any], list[Slot]]:
    service = bookable_service(conn, branch_key, service_key)
    found = service_slots(conn, service, now)
    return service, [
        s for s in found if (lo is None or s.start >= lo) and (hi is None or s.start < hi)
    ]


def take_seat(conn: Connection, service: Row[Any], start: datetime, now: datetime) -> Slot:
    """Check that a seat is left at `start`; the caller inserts the booking in this transaction.

    SQLite runs every write on one thread, so nothing can slip in between the count and the
    insert. PostgreSQL serialises the callers of one slot on a transaction-level advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(slot_lock_key(service.id, start))))
    calendar, rules = calendar_of(service), rules_of(service)
    length = timedelta(minutes=rules.slot_minutes)
    taken = taken_seats(conn, service.id, start - length, start + length)
    for slot in free_slots(calendar, rules, taken, now):
        if slot.start == start:
            return slot
    if not any(slot.start == start for slot in free_slots(calendar, rules, {}, now)):
        raise InvalidInput(f"Expected the start of a bookable slot, but got {start.isoformat()}")
    nearest = nearest_free_slots(service_slots(conn, service, now), start)
    raise SlotTaken("That time has just been taken; choose another", nearest)


def slot_lock_key(service_id: int, start: datetime) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock, the same in every process."""
    digest = hashlib.blake2b(f"{service_id}/{start.timestamp():.0f}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _dates(values: Iterable[object]) -> list[date]:
    found = []
    for value in values:
        try:
            found.append(date.fromisoformat(str(value)))
        except ValueError:
            raise InvalidInput(f"closed_dates: Expected YYYY-MM-DD, but got {value!r}") from None
    return found


@dataclass(frozen=True)
class BookingSpec:
    service: str
    slot_minutes: int
    capacity: int = 1
    advance_days: int = 60
    lead_minutes: int = 60
    bring_da: str = ""
    bring_en: str = ""


def make_bookable(conn: Connection, branch_key: str, spec: BookingSpec) -> None:
    """Open a service of a branch for online booking (demo, tests, and later the admin)."""
    BookableService(spec.slot_minutes, spec.capacity, spec.lead_minutes, spec.advance_days)
    branch_id = sa.select(branch_t.c.id).where(branch_t.c.key == branch_key).scalar_subquery()
    result = conn.execute(
        sa.update(service_t)
        .where(service_t.c.branch_id == branch_id, service_t.c.key == spec.service)
        .values(
            bookable=True,
            slot_minutes=spec.slot_minutes,
            capacity=spec.capacity,
            advance_days=spec.advance_days,
            lead_minutes=spec.lead_minutes,
            what_to_bring_da=spec.bring_da,
            what_to_bring_en=spec.bring_en,
        )
    )
    if result.rowcount != 1:
        raise NotFound(f"Unknown service {spec.service!r} at branch {branch_key!r}")
    memo.forget(conn)


def set_closed_dates(conn: Connection, branch_key: str, days: Iterable[date]) -> None:
    conn.execute(
        sa.update(branch_t)
        .where(branch_t.c.key == branch_key)
        .values(closed_dates=sorted(day.isoformat() for day in days))
    )
    memo.forget(conn)
