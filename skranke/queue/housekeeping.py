"""The scheduled jobs' units of work; each is idempotent and safe against a second process.

Every change a job makes is conditional on the state it found, so a second run (or a second
process running the same job at the same moment) finds nothing left to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from skranke.queue import outbox, ticket_notices
from skranke.queue.calendar import calendar_from_json, day_hours
from skranke.queue.idempotency import KEEP as KEEP_KEYS
from skranke.queue.states import BOOKING, NOTICE, BookingState, NoticeState, TicketState, sources_of
from skranke.store import Conn, Record
from skranke.store import bookings as stored
from skranke.store import branches as branch_store
from skranke.store import idempotency as stored_keys
from skranke.store import tickets as store_tickets
from skranke.store.events import record
from skranke.store.outbox import drop_notices_of

BS = BookingState


def queue_reminders(
    conn: Conn, now: datetime, before: timedelta, min_notice: timedelta = timedelta(0)
) -> int:
    """Queue a reminder for each booking starting within `before`; returns how many.

    A booking made less than `min_notice` before its start gets none: its confirmation has
    just arrived, and a reminder in the same minute only says it twice. It is claimed all the
    same, so it is not looked at again every minute."""
    queued = 0
    for row in stored.due_reminders(conn, now, now + before):
        if not stored.claim_reminder(conn, row.id, now):
            # Nothing got updated: another process queued this reminder first.
            continue
        if row.start - row.created_at < min_notice:
            continue
        outbox.enqueue(conn, row.id, "reminder", now, email=row.email, phone=row.phone)
        queued += 1
    return queued


def sweep_no_shows(conn: Conn, now: datetime, grace: timedelta) -> int:
    """Bookings not checked in by start + grace become no-shows; served ones are marked."""
    missed = sum(
        _settle(conn, row, BS.NO_SHOW, now) for row in stored.no_show_candidates(conn, now - grace)
    )
    for row in stored.served_candidates(conn):
        _settle(conn, row, BS.SERVED, now)
    return missed


def _settle(conn: Conn, row: Record, target: BookingState, now: datetime) -> bool:
    """Move one swept booking on; False if another process moved it first."""
    current = BookingState(row.state)
    BOOKING.check(current, target)
    if not stored.change_state(conn, row.id, current, target):
        return False
    record(conn, f"booking.{target.value}", now, branch_id=row.branch_id, code=row.code)
    return True


def close_day(conn: Conn, now: datetime) -> int:
    """Close tickets left waiting or parked once their branch has closed for the day."""
    closable = sources_of(TicketState.CLOSED)
    closed = 0
    for branch in branch_store.every_branch(conn):
        local = now.astimezone(ZoneInfo(branch.timezone))
        hours = day_hours(calendar_from_json(branch.hours or {}), local.date())
        ends = [w.end for w in (*hours.dropin, *hours.booking)]
        # While the branch is still open today, only earlier days' tickets are left over.
        still_open = bool(ends) and local.time() < max(ends)
        count = store_tickets.close_tickets(
            conn, branch.id, local.date(), closable, now, include_day=not still_open
        )
        if count:
            record(conn, "tickets.closed", now, branch_id=branch.id, count=count)
            closed += count
    # Closed in bulk, past `tickets.move`: their SMS numbers are erased here.
    ticket_notices.forget_ended(conn, now)
    return closed


def purge_personal_data(conn: Conn, now: datetime, retention: timedelta) -> int:
    """Erase names and contacts of appointments older than `retention`; rows stay for stats."""
    ids = stored.unpurged_ended_before(conn, now - retention)
    if not ids:
        return 0
    # Notices not yet sent can never go out now: their address is about to be erased.
    drop_notices_of(
        conn, ids, NoticeState.PENDING, NOTICE.check(NoticeState.PENDING, NoticeState.DROPPED)
    )
    return stored.erase_personal_data(conn, ids, now)


def forget_idempotency_keys(conn: Conn, now: datetime, keep: timedelta = KEEP_KEYS) -> int:
    """Delete idempotency keys older than `keep`; a retry later than that acts afresh."""
    return stored_keys.forget_before(conn, now - keep)
