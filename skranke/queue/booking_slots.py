"""Bookable services in the database: their calendar, the seats taken, and taking one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from skranke.queue.calendar import BranchCalendar, calendar_from_json
from skranke.queue.errors import Conflict, InvalidInput, NotFound
from skranke.queue.slots import BookableService, Slot, free_slots, nearest_free_slots
from skranke.store import Conn, Record
from skranke.store import bookings as stored
from skranke.store import branches as branch_store
from skranke.store.locks import lock_slot


class SlotTaken(Conflict):
    code = "slot_taken"

    def __init__(self, detail: str, nearest: list[Slot]) -> None:
        super().__init__(detail)
        self.nearest = nearest


def bookable_service(conn: Conn, branch_key: str | None, service_key: str) -> Record:
    """A bookable service by key; the branch may be left out where only one offers it."""
    rows = stored.bookable_service_rows(conn, branch_key, service_key)
    if not rows:
        where = f" at branch {branch_key!r}" if branch_key else ""
        raise NotFound(
            f"Expected a bookable service, but got {service_key!r}{where}",
            # A drop-in errand's page says "take a number" instead of "unknown".
            reason="not_bookable" if _exists(conn, branch_key, service_key) else "unknown_service",
            service=service_key,
        )
    if len(rows) > 1:
        raise InvalidInput(
            f"Service {service_key!r} is offered at several branches; add ?branch=<branch key>"
        )
    return rows[0]


def _exists(conn: Conn, branch_key: str | None, service_key: str) -> bool:
    if branch_key is None:
        return False
    try:
        branch_store.service(conn, branch_key, service_key)
    except NotFound:
        return False
    return True


def bookable_services(conn: Conn) -> list[Record]:
    return stored.all_bookable_services(conn)


def calendar_of(service: Record) -> BranchCalendar:
    return calendar_from_json(service.hours or {}, closed_dates=_dates(service.closed_dates or []))


def rules_of(service: Record) -> BookableService:
    return BookableService(
        slot_minutes=service.slot_minutes,
        capacity=service.capacity,
        lead_minutes=service.lead_minutes,
        advance_days=service.advance_days,
    )


def taken_seats(conn: Conn, service_id: int, lo: datetime, hi: datetime) -> dict[datetime, int]:
    """Seats held per booking start in [lo, hi]."""
    return stored.seats_taken(conn, service_id, lo, hi)


def service_slots(conn: Conn, service: Record, now: datetime) -> list[Slot]:
    """The service's free slots over its whole advance window."""
    rules = rules_of(service)
    hi = now + timedelta(days=rules.advance_days + 1)
    taken = taken_seats(conn, service.id, now - timedelta(days=1), hi)
    return free_slots(calendar_of(service), rules, taken, now)


def slots_between(
    conn: Conn,
    branch_key: str | None,
    service_key: str,
    now: datetime,
    lo: datetime | None = None,
    hi: datetime | None = None,
) -> tuple[Record, list[Slot]]:
    service = bookable_service(conn, branch_key, service_key)
    found = service_slots(conn, service, now)
    return service, [
        s for s in found if (lo is None or s.start >= lo) and (hi is None or s.start < hi)
    ]


def take_seat(conn: Conn, service: Record, start: datetime, now: datetime) -> Slot:
    """Check that a seat is left at `start`; the caller inserts the booking in this transaction.

    SQLite runs every write on one thread, so nothing can slip in between the count and the
    insert. PostgreSQL serialises the callers of one slot on a transaction-level advisory lock.
    """
    lock_slot(conn, service.id, start)
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
    # Open bookings one e-mail or phone may hold; None: the server's setting.
    contact_limit: int | None = None


def make_bookable(conn: Conn, branch_key: str, spec: BookingSpec) -> None:
    """Open a service of a branch for online booking (tests; the admin and the configuration
    file set the same columns through `administration`)."""
    # Refuses impossible settings before anything is written.
    BookableService(spec.slot_minutes, spec.capacity, spec.lead_minutes, spec.advance_days)
    found = stored.set_bookable(
        conn,
        branch_key,
        spec.service,
        slot_minutes=spec.slot_minutes,
        capacity=spec.capacity,
        advance_days=spec.advance_days,
        lead_minutes=spec.lead_minutes,
        what_to_bring_da=spec.bring_da,
        what_to_bring_en=spec.bring_en,
        contact_limit=spec.contact_limit,
    )
    if not found:
        raise NotFound(f"Unknown service {spec.service!r} at branch {branch_key!r}")


def set_closed_dates(conn: Conn, branch_key: str, days: Iterable[date]) -> None:
    stored.set_closed_dates(conn, branch_key, sorted(day.isoformat() for day in days))
