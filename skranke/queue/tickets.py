"""Issuing tickets and moving them through their life (DESIGN §3)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from skranke.queue.errors import Conflict, Forbidden, InvalidInput, NotFound
from skranke.queue.lookup import (
    NEWEST_FACTS,
    counter_row,
    known_service,
    newest_place,
    ticket_info,
    ticket_row,
)
from skranke.queue.numbering import format_number, service_day
from skranke.queue.states import Area, Lane, TicketSource, TicketState, transition
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store import memo
from skranke.store.events import record
from skranke.store.prepared import Prepared, Record
from skranke.store.tables import counter_t, service_t, ticket_counter_t, ticket_t

LANGUAGES = ("da", "en", "uk", "ar", "pl", "tr")
S = TicketState


_bump = {
    dialect: Prepared(
        insert(ticket_counter_t)
        .values(
            branch_id=sa.bindparam("branch_id"),
            day=sa.bindparam("day"),
            prefix=sa.bindparam("prefix"),
            last=1,
        )
        .on_conflict_do_update(
            index_elements=["branch_id", "day", "prefix"],
            set_={"last": ticket_counter_t.c.last + 1},
        )
        .returning(ticket_counter_t.c.last, *NEWEST_FACTS)
    )
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}
_INSERT_TICKET = Prepared(sa.insert(ticket_t).returning(ticket_t.c.id))


def draw_number(conn: Connection, service: Record, day: date) -> Record:
    """Bump the day's counter for the service's prefix: (last, ahead, counters).

    The row lock makes concurrent issuers queue; `ahead` and `counters` are the service's
    waiting tickets and open counters (`lookup.NEWEST_FACTS`), read in the same statement.
    """
    params = {
        "branch_id": service.branch_id,
        "day": day,
        "prefix": service.prefix,
        "service_id": service.id,
    }
    return _bump[conn.dialect.name].one(conn, params)


def issue_ticket(
    conn: Connection,
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
    service = known_service(conn, branch_key, service_key)
    if branch_ids is not None and service.branch_id not in branch_ids:
        raise Forbidden(f"This token belongs to another branch than {branch_key!r}")
    if not service.walk_in and booking_start is None and source == TicketSource.KIOSK:
        raise Forbidden(f"Service {service_key!r} needs a booking; no drop-in tickets")
    day = service_day(now, service.timezone)
    drawn = draw_number(conn, service, day)
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
    ticket_id: int = _INSERT_TICKET.scalar(conn, row)
    position, estimate = newest_place(conn, service, drawn.ahead, drawn.counters, policy)
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
        estimated_wait_minutes=estimate,
    )


def move(conn: Connection, ticket: Record, target: TicketState, **values: Any) -> None:
    """Move `ticket` to `target` if nobody changed it since it was read."""
    current = TicketState(ticket.state)
    transition(current, target)
    result = conn.execute(
        sa.update(ticket_t)
        .where(ticket_t.c.id == ticket.id, ticket_t.c.state == current.value)
        .values(state=target.value, **values)
    )
    if result.rowcount != 1:
        # Nothing got updated: another counter got there first.
        raise Conflict(f"Ticket {ticket.number} changed meanwhile; reload and try again")
    if target == S.DONE:
        memo.forget(conn, ("handling", ticket.service_id))


def release_counter(conn: Connection, ticket: Record) -> None:
    if ticket.counter_id is not None:
        conn.execute(
            sa.update(counter_t)
            .where(
                counter_t.c.id == ticket.counter_id,
                counter_t.c.current_ticket_id == ticket.id,
            )
            .values(current_ticket_id=None)
        )


def _event(conn: Connection, kind: str, ticket: Record, now: datetime, **extra: Any) -> None:
    counter_number = None
    if ticket.counter_id is not None:
        counter_number = counter_row(conn, ticket.counter_id).number
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
    conn: Connection,
    ticket_id: int,
    action: str,
    now: datetime,
    policy: QueuePolicy,
    branch_ids: frozenset[int] | None = None,
) -> TicketInfo:
    """One staff action on one ticket: recall, serve, finish, no-show, park, resume, cancel."""
    ticket = ticket_row(conn, ticket_id)
    if branch_ids is not None and ticket.branch_id not in branch_ids:
        raise Forbidden(f"Ticket {ticket.number} belongs to a branch you do not work at")
    state = TicketState(ticket.state)
    if action == "recall":
        if ticket.recall_count >= policy.recall_limit:
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
            ticket = ticket_row(conn, ticket_id)
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
        _event(conn, "ticket.parked", ticket, now)
    elif action == "resume":
        counter = counter_row(conn, ticket.counter_id) if ticket.counter_id else None
        if counter is not None and counter.current_ticket_id not in (None, ticket.id):
            raise Conflict(f"Counter {counter.number} is busy; finish its ticket first")
        move(conn, ticket, S.CALLED, called_at=now)
        if counter is not None:
            conn.execute(
                sa.update(counter_t)
                .where(counter_t.c.id == counter.id)
                .values(current_ticket_id=ticket.id)
            )
        _event(conn, "ticket.called", ticket, now, resumed=True)
    elif action == "cancel":
        move(conn, ticket, S.CANCELLED, finished_at=now)
        _event(conn, "ticket.cancelled", ticket, now)
    else:
        raise NotFound(f"Unknown action {action!r}")
    return ticket_info(conn, policy, ticket_id=ticket_id)


def transfer(
    conn: Connection,
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
    ticket = ticket_row(conn, ticket_id)
    if branch_ids is not None and ticket.branch_id not in branch_ids:
        raise Forbidden(f"Ticket {ticket.number} belongs to a branch you do not work at")
    service_id = ticket.service_id
    if service_key is not None:
        found = conn.execute(
            sa.select(service_t.c.id).where(
                service_t.c.branch_id == ticket.branch_id, service_t.c.key == service_key
            )
        ).first()
        if found is None:
            raise NotFound(f"Unknown service {service_key!r} at this branch")
        service_id = found.id
    if counter_id is not None:
        target = counter_row(conn, counter_id)
        if target.branch_id != ticket.branch_id:
            raise InvalidInput(f"Counter {counter_id} is at another branch")
    move(conn, ticket, S.TRANSFERRED, finished_at=now)
    release_counter(conn, ticket)
    new_id: int = conn.execute(
        sa.insert(ticket_t)
        .values(
            branch_id=ticket.branch_id,
            service_id=service_id,
            day=ticket.day,
            number=ticket.number,
            state=S.WAITING.value,
            source=ticket.source,
            language=ticket.language,
            tracking=ticket.tracking,
            lane=Lane.TRANSFERRED,
            booking_start=ticket.booking_start,
            transferred_from_id=ticket.id,
            target_counter_id=counter_id,
            issued_at=ticket.issued_at,
        )
        .returning(ticket_t.c.id)
    ).scalar_one()
    _event(conn, "ticket.transferred", ticket, now, to_ticket_id=new_id, to_counter_id=counter_id)
    return ticket_info(conn, policy, ticket_id=new_id)
