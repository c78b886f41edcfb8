"""Walk-ins' phone numbers for the "text me when I am third" SMS, kept for the ticket's life."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from skranke.queue.states import Lane, TicketState
from skranke.store.prepared import Record
from skranke.store.tables import ticket_contact_t, ticket_t


def of_ticket(conn: Connection, ticket_id: int) -> Record | None:
    row: Record | None = conn.execute(
        sa.select(ticket_contact_t).where(ticket_contact_t.c.ticket_id == ticket_id)
    ).first()
    return row


def put(conn: Connection, ticket_id: int, phone: str, language: str, now: datetime) -> None:
    """The ticket's number (asked again: the new number); `notified_at` is kept as it was."""
    values = {"ticket_id": ticket_id, "phone": phone, "language": language, "asked_at": now}
    again = {"phone": phone, "language": language, "asked_at": now}
    # One statement, so two requests of the same ticket at once cannot both insert.
    if conn.dialect.name == "postgresql":
        pg = pg_insert(ticket_contact_t).values(values)
        conn.execute(pg.on_conflict_do_update(index_elements=["ticket_id"], set_=again))
    else:
        lite = sqlite_insert(ticket_contact_t).values(values)
        conn.execute(lite.on_conflict_do_update(index_elements=["ticket_id"], set_=again))


def empty(conn: Connection, ticket_id: int) -> bool:
    """Forget the number but keep the row (and whether it was texted); False if none was."""
    result = conn.execute(
        sa.update(ticket_contact_t)
        .where(ticket_contact_t.c.ticket_id == ticket_id, ticket_contact_t.c.phone.is_not(None))
        .values(phone=None)
    )
    return result.rowcount == 1


def delete(conn: Connection, ticket_id: int) -> bool:
    """The ticket ended: its row goes. False if it had none (most tickets)."""
    result = conn.execute(
        sa.delete(ticket_contact_t).where(ticket_contact_t.c.ticket_id == ticket_id)
    )
    return result.rowcount == 1


def ended_or_older(
    conn: Connection, open_states: Iterable[TicketState], asked_before: datetime
) -> list[int]:
    """Tickets with a row that are no longer open, or whose number was given before
    `asked_before` (no ticket waits that long; a ticket left called overnight does)."""
    open_values = [s.value for s in open_states]
    rows = conn.execute(
        sa.select(ticket_contact_t.c.ticket_id)
        .join(ticket_t, ticket_t.c.id == ticket_contact_t.c.ticket_id)
        .where(
            sa.or_(
                ticket_t.c.state.not_in(open_values),
                ticket_contact_t.c.asked_at < asked_before,
            )
        )
    )
    return [r.ticket_id for r in rows]


def delete_many(conn: Connection, ticket_ids: Iterable[int]) -> int:
    ids = list(ticket_ids)
    if not ids:
        return 0
    result = conn.execute(sa.delete(ticket_contact_t).where(ticket_contact_t.c.ticket_id.in_(ids)))
    return int(result.rowcount)


def awaiting(conn: Connection, branch_id: int | None = None) -> list[Record]:
    """Waiting walk-in tickets with a number not yet texted: (ticket_id, service_id,
    issued_at), oldest first; of one branch, or of all."""
    query = (
        sa.select(ticket_t.c.id.label("ticket_id"), ticket_t.c.service_id, ticket_t.c.issued_at)
        .select_from(ticket_contact_t)
        .join(ticket_t, ticket_t.c.id == ticket_contact_t.c.ticket_id)
        .where(
            ticket_contact_t.c.phone.is_not(None),
            ticket_contact_t.c.notified_at.is_(None),
            ticket_t.c.state == TicketState.WAITING.value,
            ticket_t.c.lane == Lane.WALK_IN,
        )
        .order_by(ticket_t.c.issued_at, ticket_t.c.id)
    )
    if branch_id is not None:
        query = query.where(ticket_t.c.branch_id == branch_id)
    return list(conn.execute(query))


def mark_notified(conn: Connection, ticket_id: int, now: datetime) -> bool:
    """Claim the ticket's one SMS; False if it was claimed already (by another process)."""
    result = conn.execute(
        sa.update(ticket_contact_t)
        .where(
            ticket_contact_t.c.ticket_id == ticket_id,
            ticket_contact_t.c.notified_at.is_(None),
            ticket_contact_t.c.phone.is_not(None),
        )
        .values(notified_at=now)
    )
    return result.rowcount == 1
