"""Issuing tickets and moving them through their life (DESIGN §3)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from skranke.queue import opening, policies, ticket_notices
from skranke.queue.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotFound
from skranke.queue.lookup import newest_place, ticket_info
from skranke.queue.numbering import format_number, service_day
from skranke.queue.states import (
    LANGUAGES,
    OPEN_STATES,
    TICKET,
    Area,
    Lane,
    TicketSource,
    TicketState,
)
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store import Conn, Record
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import tickets as ticket_store
from skranke.store.events import record

S = TicketState
# The state an action starts from, where TICKET alone allows more: a waiting ticket may
# become called, but only by being claimed for a counter (`calling`), never by a recall or a
# resume, which would leave it called at no counter and gone from the queue.
ACTION_SOURCES = {
    "recall": frozenset({S.CALLED}),
    "serve": frozenset({S.CALLED}),
    "resume": frozenset({S.PARKED}),
}


def issue_ticket(
    conn: Conn,
    branch_key: str,
    service_key: str,
    now: datetime,
    policy: QueuePolicy,
    *,
    language: str = "da",
    source: TicketSource = TicketSource.KIOSK,
    booking_start: datetime | None = None,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo:
    if language not in LANGUAGES:
        raise InvalidInput(
            f"Expected a language among {', '.join(LANGUAGES)}, but got {language!r}"
        )
    service = branch_store.known_service(conn, branch_key, service_key)
    if branch_ids is not None and service.branch_id not in branch_ids:
        raise Forbidden(f"This token belongs to another branch than {branch_key!r}")
    if not service.walk_in and booking_start is None and source == TicketSource.KIOSK:
        raise Forbidden(
            f"Service {service_key!r} needs a booking; no drop-in tickets",
            reason="booking_only",
            service=service_key,
        )
    hours = None
    if policy.opening_hours and source == TicketSource.KIOSK and booking_start is None:
        # Before anything is written: outside drop-in hours the kiosk is refused (409).
        hours = opening.walk_in_hours(conn, branch_key, now, policy.ticket_cutoff_minutes)
    day = service_day(now, service.timezone)
    drawn = ticket_store.draw_number(conn, service, day)
    number = format_number(service.prefix, drawn.last)
    tracking = secrets.token_urlsafe(16)
    row = {
        "branch_id": service.branch_id,
        "service_id": service.id,
        "day": day,
        "number": number,
        "state": S.WAITING.value,
        "source": source.value,
        "language": language,
        "tracking": tracking,
        "lane": Lane.WALK_IN if booking_start is None else Lane.BOOKED,
        "booking_start": booking_start,
        "issued_at": now,
    }
    ticket_id = ticket_store.insert(conn, row)
    position, wait = newest_place(conn, service, drawn.ahead, policy, ticket_id, now)
    if hours is not None:
        # Rare (near closing), so it may roll the new ticket back rather than cost a read.
        opening.refuse_too_late(*hours, now, wait.minutes)
    record(
        conn,
        "ticket.issued",
        now,
        branch_id=service.branch_id,
        ticket_id=ticket_id,
        number=number,
        service=service.key,
        area=service.area,
        source=source.value,
    )
    return TicketInfo(
        id=ticket_id,
        number=number,
        state=S.WAITING,
        branch_key=branch_key,
        service_key=service.key,
        service_name_da=service.name_da,
        service_name_en=service.name_en,
        area=Area(service.area),
        tracking=tracking,
        language=language,
        issued_at=now,
        called_at=None,
        counter_id=None,
        counter_number=None,
        counter_name=None,
        recall_count=0,
        position=position,
        estimated_wait_minutes=wait.minutes,
        estimated_wait_range=wait.range,
        service_names=service.names or {},
        booking_start=booking_start,
    )


def move(conn: Conn, ticket: Record, target: TicketState, **values: Any) -> None:
    """Move `ticket` to `target` if the move is allowed and nobody changed it since it was read."""
    current = TicketState(ticket.state)
    try:
        TICKET.check(current, target)
    except IllegalTransition as exc:
        # The same refusal, with what a page needs to say it about this very number.
        raise IllegalTransition(
            exc.detail, reason="wrong_state", number=ticket.number, state=ticket.state
        ) from None
    if not ticket_store.move(conn, ticket.id, current, target, **values):
        # Nothing got updated: another counter got there first.
        raise Conflict(
            f"Ticket {ticket.number} changed meanwhile; reload and try again",
            reason="changed_meanwhile",
            number=ticket.number,
        )
    if target not in OPEN_STATES:
        # The ticket ended: a phone number left for its SMS goes now (ticket_notices).
        ticket_notices.forget(conn, ticket.id)


def release_counter(conn: Conn, ticket: Record) -> None:
    if ticket.counter_id is not None:
        counter_store.release(conn, ticket.counter_id, ticket.id)


def _require(ticket: Record, action: str) -> None:
    expected = ACTION_SOURCES.get(action)
    if expected is not None and ticket.state not in expected:
        raise IllegalTransition(
            f"Cannot {action} ticket {ticket.number}: expected "
            f"{' or '.join(sorted(expected))}, but got {ticket.state}",
            reason="wrong_state",
            number=ticket.number,
            state=ticket.state,
        )


def _event(conn: Conn, kind: str, ticket: Record, now: datetime, **extra: Any) -> None:
    counter_number = None
    if ticket.counter_id is not None:
        counter_number = counter_store.row(conn, ticket.counter_id).number
    record(
        conn,
        kind,
        now,
        branch_id=ticket.branch_id,
        ticket_id=ticket.id,
        counter_id=ticket.counter_id,
        number=ticket.number,
        counter_number=counter_number,
        **extra,
    )


def act(
    conn: Conn,
    ticket_id: int,
    action: str,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo:
    """One staff action on one ticket: recall, serve, finish, no-show, park, resume, cancel."""
    ticket = ticket_store.row(conn, ticket_id)
    if branch_ids is not None and ticket.branch_id not in branch_ids:
        raise Forbidden(f"Ticket {ticket.number} belongs to a branch you do not work at")
    _require(ticket, action)
    state = TicketState(ticket.state)
    if action == "recall":
        limit = policies.for_branch(conn, ticket.branch_id, policy).recall_limit
        if ticket.recall_count >= limit:
            # Called too often without showing up: back in the queue, keeping its place.
            move(conn, ticket, S.WAITING, counter_id=None, called_at=None)
            release_counter(conn, ticket)
            _event(conn, "ticket.put_back", ticket, now)
        else:
            move(conn, ticket, S.CALLED, recall_count=ticket.recall_count + 1, called_at=now)
            _event(conn, "ticket.recalled", ticket, now, recall_count=ticket.recall_count + 1)
    elif action == "serve":
        move(conn, ticket, S.SERVING, served_at=now)
        _event(conn, "ticket.serving", ticket, now)
    elif action == "finish":
        if state == S.CALLED:
            # "Finish" straight after calling means the citizen was served without the extra tap.
            move(conn, ticket, S.SERVING, served_at=now)
            ticket = ticket_store.row(conn, ticket_id)
        move(conn, ticket, S.DONE, finished_at=now)
        release_counter(conn, ticket)
        _event(conn, "ticket.finished", ticket, now)
    elif action == "no-show":
        move(conn, ticket, S.NO_SHOW, finished_at=now)
        release_counter(conn, ticket)
        _event(conn, "ticket.no_show", ticket, now)
    elif action == "park":
        move(conn, ticket, S.PARKED)
        release_counter(conn, ticket)
        # The time at the counter before parking: statistics count it as handling, and the
        # resumption's call starts the ticket's `called_at` afresh (docs/statistics.md).
        stint = int((now - ticket.called_at).total_seconds()) if ticket.called_at else 0
        _event(conn, "ticket.parked", ticket, now, counter_seconds=stint)
    elif action == "resume":
        counter = counter_store.row(conn, ticket.counter_id) if ticket.counter_id else None
        if counter is not None and counter.current_ticket_id not in (None, ticket.id):
            raise Conflict(
                f"Counter {counter.number} is busy; finish its ticket first",
                reason="counter_busy",
                counter=counter.number,
            )
        move(conn, ticket, S.CALLED, called_at=now)
        if counter is not None:
            counter_store.set_current(conn, counter.id, ticket.id)
        _event(conn, "ticket.called", ticket, now, resumed=True)
    elif action == "cancel":
        move(conn, ticket, S.CANCELLED, finished_at=now)
        _event(conn, "ticket.cancelled", ticket, now)
    else:
        raise NotFound(f"Unknown action {action!r}")
    return ticket_info(conn, policy, ticket_id=ticket_id)


def leave_queue(conn: Conn, tracking: str, now: datetime, policy: QueuePolicy) -> TicketInfo:
    """The citizen leaves ("Jeg går igen" on the phone page): a waiting ticket is cancelled
    through the same action staff use, so counters and displays see it the same way."""
    ticket = ticket_info(conn, policy, tracking=tracking)
    if ticket.state != S.WAITING:
        raise IllegalTransition(
            f"Expected a waiting ticket, but {ticket.number} is {ticket.state}",
            reason="not_waiting",
            number=ticket.number,
            state=ticket.state,
        )
    return act(conn, ticket.id, "cancel", now, policy)


def transfer(
    conn: Conn,
    ticket_id: int,
    now: datetime,
    policy: QueuePolicy,
    *,
    service_key: str | None = None,
    counter_id: int | None = None,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo:
    """Re-queue the citizen for another service or counter, keeping the original issue time."""
    if (service_key is None) == (counter_id is None):
        raise InvalidInput("Expected exactly one of 'service' or 'counter'")
    ticket = ticket_store.row(conn, ticket_id)
    if branch_ids is not None and ticket.branch_id not in branch_ids:
        raise Forbidden(f"Ticket {ticket.number} belongs to a branch you do not work at")
    service_id = ticket.service_id
    if service_key is not None:
        found = branch_store.service_id(conn, ticket.branch_id, service_key)
        if found is None:
            raise NotFound(
                f"Unknown service {service_key!r} at this branch",
                reason="unknown_service",
                service=service_key,
            )
        if found not in {s.id for s in branch_store.active_services(conn, ticket.branch_id)}:
            # No counter serves an inactive errand: the citizen would wait for nobody.
            raise InvalidInput(
                f"Expected an active service, but {service_key!r} is inactive",
                reason="service_inactive",
                service=service_key,
            )
        service_id = found
    if counter_id is not None:
        target = counter_store.row(conn, counter_id)
        if target.branch_id != ticket.branch_id:
            raise InvalidInput(
                f"Counter {counter_id} is at another branch",
                reason="counter_elsewhere",
                counter=target.number,
            )
    move(conn, ticket, S.TRANSFERRED, finished_at=now)
    release_counter(conn, ticket)
    new_id = ticket_store.insert(
        conn,
        {
            "branch_id": ticket.branch_id,
            "service_id": service_id,
            "day": ticket.day,
            "number": ticket.number,
            "state": S.WAITING.value,
            "source": ticket.source,
            "language": ticket.language,
            "tracking": ticket.tracking,
            "lane": Lane.TRANSFERRED,
            "booking_start": ticket.booking_start,
            "transferred_from_id": ticket.id,
            "target_counter_id": counter_id,
            "issued_at": ticket.issued_at,
        },
    )
    _event(conn, "ticket.transferred", ticket, now, to_ticket_id=new_id, to_counter_id=counter_id)
    return ticket_info(conn, policy, ticket_id=new_id)
