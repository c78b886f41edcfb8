"""The SMS "when I am third": a walk-in's number, its one SMS, and its erasure.

A citizen with a waiting walk-in ticket may leave a phone number on the phone page. When the
ticket is third in its queue (two ahead of it, as the page counts), one SMS goes out through
the outbox. The number is personal data kept for the ticket's life only: withdrawn, it is
emptied at once; when the ticket ends (done, no-show, cancelled, transferred, closed) its row
is deleted, by `forget` from the one place tickets move (`tickets.move`) and by `forget_ended`
from the end-of-day close and the scheduled check (docs/live.md, "SMS when third").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from skranke.queue.bookings import normalise_phone
from skranke.queue.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from skranke.queue.states import LANGUAGES, NOTICE, OPEN_STATES, Lane, NoticeState, TicketState
from skranke.store import Conn, Record
from skranke.store import outbox as outbox_store
from skranke.store import ticket_contacts as stored
from skranke.store import tickets as ticket_store

# Position 1 is next, so third means two ahead.
THIRD = 3
TEMPLATE = "third"
# No queue lasts this long: a number given earlier goes whatever its ticket's state (one
# left called or serving overnight, which the end-of-day close does not end).
KEEP = timedelta(hours=16)


@dataclass(frozen=True)
class SmsOffer:
    """What the phone page shows about the SMS for one ticket."""

    # The form is shown: a waiting walk-in ticket with more than two ahead.
    offered: bool
    # A number is on file; `phone_end` is its last digits, so the citizen sees which.
    asked: bool
    phone_end: str
    # The SMS has been queued (the ticket was third).
    notified: bool


NO_OFFER = SmsOffer(offered=False, asked=False, phone_end="", notified=False)


def offer(conn: Conn, tracking: str) -> SmsOffer:
    """The SMS part of the phone page of the ticket `tracking` (newest after a transfer)."""
    row = ticket_store.info(conn, tracking=tracking)
    if row is None or not _eligible(row):
        return NO_OFFER
    contact = stored.of_ticket(conn, row.id)
    asked = contact is not None and contact.phone is not None
    notified = contact is not None and contact.notified_at is not None
    return SmsOffer(
        offered=_position(conn, row) > THIRD and not notified,
        asked=asked,
        phone_end=contact.phone[-4:] if asked and contact is not None else "",
        notified=notified,
    )


def ask(conn: Conn, tracking: str, phone: str, language: str, now: datetime) -> SmsOffer:
    """Keep `phone` for the ticket; the SMS is written in `language` (the page's).

    A bad number raises InvalidInput with reason "bad_phone"; a ticket that may not ask
    raises another DomainError (the phone page tells the two apart)."""
    row = _walk_in(conn, tracking)
    try:
        number = normalise_phone(phone)
    except InvalidInput:
        number = None
    if number is None:
        raise InvalidInput(
            f"Expected a mobile number like 12 34 56 78, but got {phone!r}", reason="bad_phone"
        )
    stored.put(conn, row.id, number, language if language in LANGUAGES else row.language, now)
    return offer(conn, tracking)


def withdraw(conn: Conn, tracking: str, now: datetime) -> None:
    """The citizen takes the number back: it is emptied now; no SMS goes out for it."""
    row = ticket_store.info(conn, tracking=tracking)
    if row is None:
        raise NotFound(f"Unknown ticket {tracking!r}", reason="no_such_ticket")
    if stored.empty(conn, row.id):
        _drop_pending(conn, row.id)


def forget(conn: Conn, ticket_id: int) -> None:
    """The ticket ended: its number goes. One cheap delete when it had none (most)."""
    if stored.delete(conn, ticket_id):
        _drop_pending(conn, ticket_id)


def forget_ended(conn: Conn, now: datetime) -> int:
    """Erase the numbers of every ended ticket (the end-of-day close ends them in bulk) and
    of any given more than `KEEP` ago; returns how many. Safe to run twice."""
    ids = stored.ended_or_older(conn, OPEN_STATES, now - KEEP)
    for ticket_id in ids:
        _drop_pending(conn, ticket_id)
    return stored.delete_many(conn, ids)


def queue_due(conn: Conn, now: datetime, branch_id: int | None = None) -> int:
    """Queue the SMS of each waiting walk-in, of one branch or all, that is now third or
    nearer; each ticket's only once. Returns how many were queued."""
    queued = 0
    for row in stored.awaiting(conn, branch_id):
        ahead = ticket_store.queue_facts(conn, row.service_id, row.issued_at, row.ticket_id).ahead
        if ahead + 1 > THIRD:
            continue
        if not stored.mark_notified(conn, row.ticket_id, now):
            # Nothing got updated: another process queued it first.
            continue
        outbox_store.add_ticket_notice(conn, row.ticket_id, TEMPLATE, now)
        queued += 1
    return queued


def check(conn: Conn, now: datetime) -> int:
    """The scheduled check: numbers of ended tickets erased, due SMS queued (the queue also
    moves when a citizen leaves or staff call a number out of order). Returns SMS queued."""
    forget_ended(conn, now)
    return queue_due(conn, now)


def _eligible(row: Record) -> bool:
    # Booked citizens come at their time and transferred ones go first: neither waits long.
    return bool(row.state == TicketState.WAITING.value and row.lane == Lane.WALK_IN)


def _walk_in(conn: Conn, tracking: str) -> Record:
    row = ticket_store.info(conn, tracking=tracking)
    if row is None:
        raise NotFound(f"Unknown ticket {tracking!r}", reason="no_such_ticket")
    if row.lane != Lane.WALK_IN:
        raise Forbidden(
            f"Ticket {row.number} is booked or transferred: no SMS is offered",
            reason="sms_not_offered",
            number=row.number,
        )
    if row.state != TicketState.WAITING.value:
        raise IllegalTransition(
            f"Expected a waiting ticket, but {row.number} is {row.state}",
            reason="not_waiting",
            number=row.number,
        )
    return row


def _position(conn: Conn, row: Record) -> int:
    # As the phone page counts it (`lookup.place_in_queue`), without the wait forecast.
    return int(ticket_store.queue_facts(conn, row.service_id, row.issued_at, row.id).ahead) + 1


def _drop_pending(conn: Conn, ticket_id: int) -> None:
    target = NOTICE.check(NoticeState.PENDING, NoticeState.DROPPED)
    outbox_store.drop_ticket_notices(conn, ticket_id, NoticeState.PENDING, target)
