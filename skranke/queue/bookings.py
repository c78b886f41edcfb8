"""Booking an appointment, moving it, cancelling it, and reading it back (DESIGN §5).

No CPR number is ever asked for, stored or logged: the booking code identifies a booking.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue import outbox
from skranke.queue.accounts import Principal
from skranke.queue.booking_slots import bookable_service, take_seat
from skranke.queue.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotFound
from skranke.queue.states import BOOKING, PAGE_LANGUAGES, BookingState
from skranke.store import Conn, Record
from skranke.store import bookings as stored
from skranke.store import branches as branch_store
from skranke.store.events import record
from skranke.store.locks import lock_contact

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud or typed from a phone, nothing is mistaken.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
BS = BookingState


class BookingLimit(Conflict):
    code = "booking_limit"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None
    language: str = "da"


@dataclass(frozen=True)
class BookingInfo:
    id: int
    code: str
    state: BookingState
    branch_id: int
    start: datetime
    end: datetime
    language: str
    name: str
    email: str | None
    phone: str | None
    branch_key: str
    branch_name: str
    branch_address: str
    timezone: str
    service_key: str
    service_name_da: str
    service_name_en: str
    what_to_bring_da: str
    what_to_bring_en: str
    walk_in: bool
    ticket_id: int | None


def contact(name: str, email: str | None, phone: str | None, language: str = "da") -> Contact:
    """Validate and normalise what the citizen typed; e-mail and/or phone is required."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 120:
        raise InvalidInput("Expected a name of 1 to 120 characters")
    email = (email or "").strip().lower() or None
    if email is not None and (len(email) > 200 or not EMAIL.fullmatch(email)):
        raise InvalidInput(f"Expected an e-mail address like navn@example.dk, but got {email!r}")
    phone = normalise_phone(phone)
    if email is None and phone is None:
        raise InvalidInput("Expected an e-mail address or a phone number, but got neither")
    # Booking pages, notices and .ics files are written in the staff page languages.
    if language not in PAGE_LANGUAGES:
        expected = " or ".join(PAGE_LANGUAGES)
        raise InvalidInput(f"Expected language {expected}, but got {language!r}")
    return Contact(name, email, phone, language)


def normalise_phone(phone: str | None) -> str | None:
    digits = re.sub(r"[\s\-().]", "", phone or "")
    if not digits:
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):
        return "+45" + digits
    if re.fullmatch(r"\+\d{8,15}", digits):
        return digits
    raise InvalidInput(f"Expected a phone number like 12 34 56 78 or +45 12345678, got {phone!r}")


def normalise_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code).upper()


def new_code(conn: Conn) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not stored.code_taken(conn, code):
            return code


def book(
    conn: Conn,
    branch_key: str | None,
    service_key: str,
    start: datetime,
    who: Contact,
    now: datetime,
    *,
    max_per_contact: int = 2,
    created_by_user_id: int | None = None,
) -> BookingInfo:
    service = bookable_service(conn, branch_key, service_key)
    # Held to the end of the transaction: the count below spans slots, so the slot lock taken
    # in take_seat does not keep two bookings of one contact from both counting too few.
    lock_contact(conn, who.email, who.phone)
    _check_limit(conn, who, now, max_per_contact)
    slot = take_seat(conn, service, start, now)
    code = new_code(conn)
    booking_id = stored.insert_booking(
        conn,
        code=code,
        branch_id=service.branch_id,
        service_id=service.id,
        start=slot.start,
        end=slot.end,
        name=who.name,
        email=who.email,
        phone=who.phone,
        language=who.language,
        state=BS.BOOKED.value,
        created_at=now,
        created_by_user_id=created_by_user_id,
    )
    outbox.enqueue(conn, booking_id, "confirmation", now, email=who.email, phone=who.phone)
    record(conn, "booking.created", now, branch_id=service.branch_id, code=code)
    return booking_info(conn, code)


def book_for_citizen(
    conn: Conn,
    staff: Principal,
    branch_key: str,
    service_key: str,
    start: datetime,
    who: Contact,
    now: datetime,
    *,
    max_per_contact: int = 2,
) -> BookingInfo:
    """`book`, made by staff for a citizen (on the phone, at the desk) at their own branch.

    The same slots, limits per contact and confirmations as online; the booking records who
    made it.
    """
    if not staff.is_staff or staff.user_id is None:
        raise Forbidden("Expected a staff member booking for a citizen")
    branch = branch_store.row(conn, branch_key)
    if not staff.may_use_branch(branch.id):
        raise Forbidden(f"Branch {branch_key!r} is not one you work at")
    return book(
        conn,
        branch_key,
        service_key,
        start,
        who,
        now,
        max_per_contact=max_per_contact,
        created_by_user_id=staff.user_id,
    )


def reschedule(conn: Conn, code: str, start: datetime, now: datetime) -> BookingInfo:
    """Move a booking to another free slot of the same service; the old seat is freed."""
    info = booking_info(conn, code)
    _require_changeable(info, now)
    if start == info.start:
        return info
    service = bookable_service(conn, info.branch_key, info.service_key)
    slot = take_seat(conn, service, start, now)
    if not stored.move_booked(conn, info.id, slot.start, slot.end):
        raise Conflict(f"Booking {info.code} changed meanwhile; reload and try again")
    outbox.enqueue(conn, info.id, "confirmation", now, email=info.email, phone=info.phone)
    record(conn, "booking.moved", now, branch_id=service.branch_id, code=info.code)
    return booking_info(conn, info.code)


def cancel(conn: Conn, code: str, now: datetime) -> BookingInfo:
    info = booking_info(conn, code)
    _require_changeable(info, now)
    move(conn, info, BS.CANCELLED, cancelled_at=now)
    outbox.enqueue(conn, info.id, "cancellation", now, email=info.email, phone=None)
    record(conn, "booking.cancelled", now, branch_id=info.branch_id, code=info.code)
    return booking_info(conn, info.code)


def move(conn: Conn, info: BookingInfo, target: BookingState, **values: Any) -> None:
    """Move a booking to `target` if that is allowed and nobody changed it since it was read."""
    BOOKING.check(info.state, target)
    if not stored.change_state(conn, info.id, info.state, target, **values):
        # Nothing got updated: another request got there first.
        raise Conflict(f"Booking {info.code} changed meanwhile; reload and try again")


def booking_info(conn: Conn, code: str) -> BookingInfo:
    row = stored.booking_by_code(conn, normalise_code(code))
    if row is None:
        raise NotFound(f"Unknown booking code {code!r}", reason="unknown_booking", code=code)
    return _info(row)


def day_bookings(
    conn: Conn, branch_key: str, day: date, branch_ids: frozenset[int] | None = None
) -> list[dict[str, Any]]:
    """A branch's bookings on one local day, for the counter page (no contact details)."""
    branch = branch_store.row(conn, branch_key)
    if branch_ids is not None and branch.id not in branch_ids:
        # Citizens' names are shown only to staff of the branch they booked at.
        raise Forbidden(f"Branch {branch_key!r} is not one you work at")
    tz = ZoneInfo(branch.timezone)
    lo = datetime.combine(day, time(0), tz).astimezone(UTC)
    hi = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return [
        {
            "code": r.code,
            "service": r.service_key,
            "name": {"da": r.service_name_da, "en": r.service_name_en},
            "citizen": r.name,
            "start": r.start,
            "end": r.end,
            "state": r.state,
            "ticket_id": r.ticket_id,
            "ticket_number": r.ticket_number,
        }
        for r in stored.bookings_between(conn, branch.id, lo, hi)
    ]


def coming_count(conn: Conn, who: Contact, now: datetime) -> int:
    """Booked appointments still to come with the contact's e-mail address or phone number."""
    return stored.coming_bookings_of(conn, who.email, who.phone, now)


def _check_limit(conn: Conn, who: Contact, now: datetime, limit: int) -> None:
    count = coming_count(conn, who, now)
    if count >= limit:
        raise BookingLimit(
            f"This e-mail or phone number already has {count} coming bookings; "
            f"at most {limit} are allowed. Cancel one first."
        )


def _require_changeable(info: BookingInfo, now: datetime) -> None:
    if info.state != BS.BOOKED:
        raise IllegalTransition(
            f"Expected a booked appointment, but got {info.state.value}",
            reason="not_booked",
            state=info.state.value,
        )
    if info.start <= now:
        raise Conflict(
            "The appointment has already begun; it can no longer be changed", reason="begun"
        )


def _info(row: Record) -> BookingInfo:
    fields = BookingInfo.__dataclass_fields__
    values = {name: getattr(row, name) for name in fields}
    values["state"] = BookingState(row.state)
    return BookingInfo(**values)
