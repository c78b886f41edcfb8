"""Notices waiting to be sent: written with the booking (or when a walk-in ticket is nearly
up), sent later, retried on failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from skranke.queue.states import NOTICE, NoticeState
from skranke.store import Conn, Record
from skranke.store import outbox as stored

MAX_ATTEMPTS = 8
# A claimed notice is left alone this long, so a second sender does not send it again.
LEASE = timedelta(minutes=5)
TEMPLATES = ("confirmation", "reminder", "cancellation")


@dataclass(frozen=True)
class Notice:
    """Everything a sender needs, read from the booking at the time of sending."""

    id: int
    channel: str
    template: str
    attempts: int
    code: str
    language: str
    name: str
    email: str | None
    phone: str | None
    start: datetime
    end: datetime
    service_name_da: str
    service_name_en: str
    what_to_bring_da: str
    what_to_bring_en: str
    branch_name: str
    branch_address: str
    timezone: str


@dataclass(frozen=True)
class TicketNotice:
    """A walk-in ticket's SMS ("you are nearly up"), read from its contact row when sent."""

    id: int
    channel: str
    template: str
    attempts: int
    phone: str
    language: str
    number: str
    branch_name: str


def enqueue(
    conn: Conn,
    booking_id: int,
    template: str,
    now: datetime,
    *,
    email: str | None,
    phone: str | None,
) -> int:
    """Queue one notice per channel the citizen gave an address for; returns how many."""
    channels = [c for c, address in (("email", email), ("sms", phone)) if address]
    stored.add_notices(conn, booking_id, template, channels, now)
    return len(channels)


def claim_due(conn: Conn, now: datetime, limit: int = 50) -> list[Notice | TicketNotice]:
    """Claim due notices; each is claimed by one sender only (conditional update)."""
    claimed: list[Notice | TicketNotice] = []
    for row in stored.due_notices(conn, now, limit):
        if row.purged_at is not None:
            # The address is gone: nothing can be sent any more.
            _finish(conn, row.id, NoticeState.DROPPED)
        elif _lease(conn, row, now):
            claimed.append(Notice(**{**_fields(row), "attempts": row.attempts + 1}))
    for row in stored.due_ticket_notices(conn, now, limit):
        if row.phone is None:
            # Withdrawn, or the ticket ended and its number was erased.
            _finish(conn, row.id, NoticeState.DROPPED)
        elif _lease(conn, row, now):
            claimed.append(_ticket_notice(row))
    return claimed


def _lease(conn: Conn, row: Record, now: datetime) -> bool:
    # A claim keeps the notice pending; only its next attempt moves on by the lease.
    NOTICE.check(NoticeState.PENDING, NoticeState.PENDING)
    # False when nothing got updated: another sender claimed it first.
    return stored.lease_notice(conn, row.id, row.next_attempt_at, now + LEASE)


def _ticket_notice(row: Record) -> TicketNotice:
    return TicketNotice(
        id=row.id,
        channel=row.channel,
        template=row.template,
        attempts=row.attempts + 1,
        phone=row.phone,
        language=row.language or row.ticket_language,
        number=row.number,
        branch_name=row.branch_name,
    )


def mark_sent(conn: Conn, notice_id: int, now: datetime) -> None:
    _finish(conn, notice_id, NoticeState.SENT, sent_at=now)


def mark_failed(
    conn: Conn, notice_id: int, error: str, now: datetime, *, permanent: bool = False
) -> None:
    attempts = stored.attempts_of(conn, notice_id)
    if permanent or attempts >= MAX_ATTEMPTS:
        _finish(conn, notice_id, NoticeState.FAILED, error=error)
        return
    # Back off: 1, 2, 4, ... minutes, at most an hour.
    delay = timedelta(minutes=min(60, 2 ** (attempts - 1)))
    current = NOTICE.check(NoticeState.PENDING, NoticeState.PENDING)
    stored.retry_later(conn, notice_id, current, now + delay, error)


def _finish(
    conn: Conn,
    notice_id: int,
    target: NoticeState,
    *,
    error: str | None = None,
    sent_at: datetime | None = None,
) -> None:
    # Only a pending notice is finished. One that a purge dropped while it was being sent
    # stays dropped: the purge has the last word on personal data.
    current = NoticeState.PENDING
    NOTICE.check(current, target)
    stored.finish_notice(conn, notice_id, current, target, error=error, sent_at=sent_at)


def _fields(row: Record) -> dict[str, Any]:
    names = Notice.__dataclass_fields__
    return {name: getattr(row, name) for name in names if name != "attempts"} | {
        "attempts": row.attempts
    }
