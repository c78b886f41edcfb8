"""Bookings and bookable services: the rows the booking use cases read and change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import BookingState, TicketState
from skranke.store import memo
from skranke.store.prepared import Record
from skranke.store.tables import booking_t, branch_t, service_t, ticket_t

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
_BOOKABLE = (
    sa.select(*_SERVICE_COLUMNS)
    .join(branch_t, branch_t.c.id == service_t.c.branch_id)
    .where(service_t.c.bookable.is_(True), service_t.c.active.is_(True))
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
# A booking with what its pages, notices and the kiosk show of its branch and service.
_INFO = (
    sa.select(
        booking_t,
        branch_t.c.key.label("branch_key"),
        branch_t.c.name.label("branch_name"),
        branch_t.c.address.label("branch_address"),
        branch_t.c.timezone,
        service_t.c.key.label("service_key"),
        service_t.c.name_da.label("service_name_da"),
        service_t.c.name_en.label("service_name_en"),
        service_t.c.what_to_bring_da,
        service_t.c.what_to_bring_en,
        service_t.c.walk_in,
    )
    .join(branch_t, branch_t.c.id == booking_t.c.branch_id)
    .join(service_t, service_t.c.id == booking_t.c.service_id)
)


# --- bookable services ---------------------------------------------------------------------


def bookable_service_rows(
    conn: Connection, branch_key: str | None, service_key: str, limit: int = 2
) -> list[Record]:
    """Bookable, active services with this key (at this branch, if one is given)."""
    query = _BOOKABLE.where(service_t.c.key == service_key)
    if branch_key is not None:
        query = query.where(branch_t.c.key == branch_key)
    return list(conn.execute(query.limit(limit)))


def all_bookable_services(conn: Connection) -> list[Record]:
    return list(
        conn.execute(
            _BOOKABLE.order_by(
                branch_t.c.name, service_t.c.area, service_t.c.sort_order, service_t.c.id
            )
        )
    )


def seats_taken(
    conn: Connection, service_id: int, lo: datetime, hi: datetime
) -> dict[datetime, int]:
    """Seats held per booking start in [lo, hi]: one grouped index range scan."""
    rows = conn.execute(_TAKEN, {"service_id": service_id, "lo": lo, "hi": hi})
    return {start: count for start, count in rows}


def set_bookable(conn: Connection, branch_key: str, service_key: str, **settings: Any) -> bool:
    """Open a service for booking with these settings; False if there is no such service."""
    branch_id = sa.select(branch_t.c.id).where(branch_t.c.key == branch_key).scalar_subquery()
    result = conn.execute(
        sa.update(service_t)
        .where(service_t.c.branch_id == branch_id, service_t.c.key == service_key)
        .values(bookable=True, **settings)
    )
    # Issuing remembers service rows (see memo): they changed.
    memo.forget(conn)
    return result.rowcount == 1


def set_closed_dates(conn: Connection, branch_key: str, days: Iterable[str]) -> None:
    conn.execute(
        sa.update(branch_t).where(branch_t.c.key == branch_key).values(closed_dates=list(days))
    )
    memo.forget(conn)


# --- bookings ------------------------------------------------------------------------------


def code_taken(conn: Connection, code: str) -> bool:
    found = conn.execute(sa.select(booking_t.c.id).where(booking_t.c.code == code)).first()
    return found is not None


def insert_booking(conn: Connection, **values: Any) -> int:
    booking_id: int = conn.execute(
        sa.insert(booking_t).values(**values).returning(booking_t.c.id)
    ).scalar_one()
    return booking_id


def booking_by_code(conn: Connection, code: str) -> Record | None:
    return conn.execute(_INFO.where(booking_t.c.code == code)).first()


def coming_bookings_of(
    conn: Connection, email: str | None, phone: str | None, now: datetime
) -> int:
    """Booked appointments still to come with this e-mail address or this phone number."""
    same = [c == v for c, v in ((booking_t.c.email, email), (booking_t.c.phone, phone)) if v]
    if not same:
        return 0
    count: int = conn.execute(
        sa.select(sa.func.count()).where(
            booking_t.c.state == BookingState.BOOKED.value,
            booking_t.c.start > now,
            sa.or_(*same),
        )
    ).scalar_one()
    return count


def change_state(
    conn: Connection,
    booking_id: int,
    current: BookingState,
    target: BookingState,
    **values: Any,
) -> bool:
    """Set `target` if the booking is still in `current`; False if someone changed it first."""
    result = conn.execute(
        sa.update(booking_t)
        .where(booking_t.c.id == booking_id, booking_t.c.state == current.value)
        .values(state=target.value, **values)
    )
    return result.rowcount == 1


def move_booked(conn: Connection, booking_id: int, start: datetime, end: datetime) -> bool:
    """Move a still booked appointment to a new time; its reminder is due again."""
    result = conn.execute(
        sa.update(booking_t)
        .where(booking_t.c.id == booking_id, booking_t.c.state == BookingState.BOOKED.value)
        .values(start=start, end=end, reminder_sent_at=None)
    )
    return result.rowcount == 1


def bookings_between(conn: Connection, branch_id: int, lo: datetime, hi: datetime) -> list[Record]:
    """A branch's bookings starting in [lo, hi) but not cancelled, with their ticket numbers."""
    return list(
        conn.execute(
            _INFO.add_columns(ticket_t.c.number.label("ticket_number"))
            .outerjoin(ticket_t, ticket_t.c.id == booking_t.c.ticket_id)
            .where(
                booking_t.c.branch_id == branch_id,
                booking_t.c.start >= lo,
                booking_t.c.start < hi,
                booking_t.c.state != BookingState.CANCELLED.value,
            )
            .order_by(booking_t.c.start, booking_t.c.id)
        )
    )


# --- what the scheduled jobs look for ------------------------------------------------------

_SWEPT = (booking_t.c.id, booking_t.c.code, booking_t.c.state, booking_t.c.branch_id)


def due_reminders(conn: Connection, lo: datetime, hi: datetime) -> list[Record]:
    """Booked appointments starting in (lo, hi] whose reminder has not been queued."""
    return list(
        conn.execute(
            sa.select(
                booking_t.c.id,
                booking_t.c.email,
                booking_t.c.phone,
                booking_t.c.start,
                booking_t.c.created_at,
            ).where(
                booking_t.c.state == BookingState.BOOKED.value,
                booking_t.c.reminder_sent_at.is_(None),
                booking_t.c.start > lo,
                booking_t.c.start <= hi,
            )
        )
    )


def claim_reminder(conn: Connection, booking_id: int, now: datetime) -> bool:
    """Note the reminder as queued; False if another process queued it first."""
    result = conn.execute(
        sa.update(booking_t)
        .where(booking_t.c.id == booking_id, booking_t.c.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now)
    )
    return result.rowcount == 1


def no_show_candidates(conn: Connection, started_before: datetime) -> list[Record]:
    """Still booked appointments that began before `started_before`."""
    return list(
        conn.execute(
            sa.select(*_SWEPT).where(
                booking_t.c.state == BookingState.BOOKED.value,
                booking_t.c.start < started_before,
            )
        )
    )


def served_candidates(conn: Connection) -> list[Record]:
    """Checked-in bookings whose ticket is done."""
    done = sa.select(ticket_t.c.id).where(ticket_t.c.state == TicketState.DONE.value)
    return list(
        conn.execute(
            sa.select(*_SWEPT).where(
                booking_t.c.state == BookingState.CHECKED_IN.value,
                booking_t.c.ticket_id.in_(done),
            )
        )
    )


def unpurged_ended_before(conn: Connection, cutoff: datetime) -> list[int]:
    old = sa.select(booking_t.c.id).where(booking_t.c.purged_at.is_(None), booking_t.c.end < cutoff)
    return [row.id for row in conn.execute(old)]


def erase_personal_data(conn: Connection, booking_ids: Sequence[int], now: datetime) -> int:
    """Blank names and contacts; the rows stay for statistics. Returns how many were erased."""
    return int(
        conn.execute(
            sa.update(booking_t)
            .where(booking_t.c.id.in_(booking_ids), booking_t.c.purged_at.is_(None))
            .values(name="", email=None, phone=None, purged_at=now)
        ).rowcount
    )
