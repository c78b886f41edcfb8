"""The scheduled jobs' units of work; each is idempotent and safe against a second process."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue import outbox
from skranke.queue.calendar import calendar_from_json, day_hours
from skranke.queue.states import BookingState, TicketState, sources_of
from skranke.store.events import record
from skranke.store.tables import booking_t, branch_t, outbox_t, ticket_t

BS = BookingState


def queue_reminders(conn: Connection, now: datetime, before: timedelta) -> int:
    """Queue a reminder for each booking starting within `before`; returns how many."""
    due = conn.execute(
        sa.select(booking_t.c.id, booking_t.c.email, booking_t.c.phone).where(
            booking_t.c.state == BS.BOOKED.value,
            booking_t.c.reminder_sent_at.is_(None),
            booking_t.c.start > now,
            booking_t.c.start <= now + before,
        )
    ).all()
    queued = 0
    for row in due:
        claimed = conn.execute(
            sa.update(booking_t)
            .where(booking_t.c.id == row.id, booking_t.c.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
        )
        if claimed.rowcount != 1:
            # Nothing got updated: another process queued this reminder first.
            continue
        outbox.enqueue(conn, row.id, "reminder", now, email=row.email, phone=row.phone)
        queued += 1
    return queued


def sweep_no_shows(conn: Connection, now: datetime, grace: timedelta) -> int:
    """Bookings not checked in by start + grace become no-shows; served ones are marked."""
    missed = conn.execute(
        sa.update(booking_t)
        .where(booking_t.c.state == BS.BOOKED.value, booking_t.c.start < now - grace)
        .values(state=BS.NO_SHOW.value)
    ).rowcount
    done = sa.select(ticket_t.c.id).where(ticket_t.c.state == TicketState.DONE.value)
    conn.execute(
        sa.update(booking_t)
        .where(booking_t.c.state == BS.CHECKED_IN.value, booking_t.c.ticket_id.in_(done))
        .values(state=BS.SERVED.value)
    )
    return int(missed)


def close_day(conn: Connection, now: datetime) -> int:
    """Close tickets left waiting or parked once their branch has closed for the day."""
    closable = [s.value for s in sources_of(TicketState.CLOSED)]
    closed = 0
    for branch in conn.execute(sa.select(branch_t)).all():
        local = now.astimezone(ZoneInfo(branch.timezone))
        hours = day_hours(calendar_from_json(branch.hours or {}), local.date())
        ends = [w.end for w in (*hours.dropin, *hours.booking)]
        still_open = ends and local.time() < max(ends)
        today = ticket_t.c.day < local.date() if still_open else ticket_t.c.day <= local.date()
        count = conn.execute(
            sa.update(ticket_t)
            .where(ticket_t.c.branch_id == branch.id, ticket_t.c.state.in_(closable), today)
            .values(state=TicketState.CLOSED.value, finished_at=now)
        ).rowcount
        if count:
            record(conn, "tickets.closed", now, branch_id=branch.id, count=count)
            closed += count
    return closed


def purge_personal_data(conn: Connection, now: datetime, retention: timedelta) -> int:
    """Erase names and contacts of appointments older than `retention`; rows stay for stats."""
    old = sa.select(booking_t.c.id).where(
        booking_t.c.purged_at.is_(None), booking_t.c.end < now - retention
    )
    ids = [row.id for row in conn.execute(old)]
    if not ids:
        return 0
    conn.execute(
        sa.update(outbox_t)
        .where(outbox_t.c.booking_id.in_(ids))
        # An SMTP error may quote the address it refused.
        .values(
            last_error=None,
            state=sa.case((outbox_t.c.state == "pending", "dropped"), else_=outbox_t.c.state),
        )
    )
    return int(
        conn.execute(
            sa.update(booking_t)
            .where(booking_t.c.id.in_(ids), booking_t.c.purged_at.is_(None))
            .values(name="", email=None, phone=None, purged_at=now)
        ).rowcount
    )
