"""Read queries behind the live pages' snapshots (`skranke.displays.snapshots` assembles them).

Each returns plain values or rows; none writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import DeviceKind, TicketState
from skranke.store.prepared import Record
from skranke.store.tables import (
    branch_t,
    counter_service_t,
    device_t,
    event_t,
    service_t,
    ticket_t,
)


def display_row(conn: Connection, key: str) -> Record | None:
    """The wall display's device row, token hash included, or None for no such display."""
    return conn.execute(
        sa.select(device_t).where(device_t.c.key == key, device_t.c.kind == DeviceKind.DISPLAY)
    ).first()


def branch_by_id(conn: Connection, branch_id: int) -> Record | None:
    return conn.execute(sa.select(branch_t).where(branch_t.c.id == branch_id)).first()


def ticket_facts(conn: Connection, ticket_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """ticket id -> (service area, tracking token): what routing an event needs."""
    rows = conn.execute(
        sa.select(ticket_t.c.id, service_t.c.area, ticket_t.c.tracking)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .where(ticket_t.c.id.in_(list(ticket_ids)))
    )
    return {r.id: (r.area, r.tracking) for r in rows}


def service_areas(conn: Connection, branch_id: int) -> dict[str, str]:
    """service key -> area, for the branch's services."""
    rows = conn.execute(
        sa.select(service_t.c.key, service_t.c.area).where(service_t.c.branch_id == branch_id)
    )
    return {r.key: r.area for r in rows}


def recent_events(
    conn: Connection,
    branch_id: int,
    kinds: Iterable[str],
    area: str | None,
    since: datetime,
    limit: int,
) -> list[Record]:
    """The branch's newest ticket events of these kinds (seq, at, kind, payload, area)."""
    query = (
        sa.select(event_t.c.seq, event_t.c.at, event_t.c.kind, event_t.c.payload, service_t.c.area)
        .join(ticket_t, ticket_t.c.id == event_t.c.ticket_id)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .where(
            event_t.c.branch_id == branch_id,
            event_t.c.kind.in_(list(kinds)),
            event_t.c.at >= since,
        )
        .order_by(event_t.c.seq.desc())
        .limit(limit)
    )
    if area is not None:
        query = query.where(service_t.c.area == area)
    return list(conn.execute(query))


def branch_events(
    conn: Connection, branch_id: int, kinds: Iterable[str], since: datetime
) -> list[Record]:
    """The branch's events of these kinds since `since`, newest first (seq, at, kind, payload)."""
    return list(
        conn.execute(
            sa.select(event_t.c.seq, event_t.c.at, event_t.c.kind, event_t.c.payload)
            .where(
                event_t.c.branch_id == branch_id,
                event_t.c.kind.in_(list(kinds)),
                event_t.c.at >= since,
            )
            .order_by(event_t.c.seq.desc())
        )
    )


def parked_ticket_ids(conn: Connection, counter_id: int) -> list[int]:
    return list(
        conn.execute(
            sa.select(ticket_t.c.id)
            .where(ticket_t.c.counter_id == counter_id, ticket_t.c.state == TicketState.PARKED)
            .order_by(ticket_t.c.id)
        ).scalars()
    )


def served_services(conn: Connection, counter_id: int) -> dict[str, int]:
    """service key -> service id, for the services the counter serves."""
    rows = conn.execute(
        sa.select(service_t.c.key, service_t.c.id)
        .join(counter_service_t, counter_service_t.c.service_id == service_t.c.id)
        .where(counter_service_t.c.counter_id == counter_id)
    )
    return {r.key: r.id for r in rows}


def waiting_candidates(conn: Connection, branch_id: int) -> list[Record]:
    """Every waiting ticket of the branch with what routing weighs (for the order in which
    a counter would call them; the claim itself reads only each service's head)."""
    return list(
        conn.execute(
            sa.select(
                ticket_t.c.id,
                ticket_t.c.service_id,
                ticket_t.c.issued_at,
                ticket_t.c.booking_start,
                ticket_t.c.transferred_from_id,
                ticket_t.c.target_counter_id,
                service_t.c.area,
                service_t.c.simple,
            )
            .join(service_t, service_t.c.id == ticket_t.c.service_id)
            .where(ticket_t.c.branch_id == branch_id, ticket_t.c.state == TicketState.WAITING)
        )
    )


def waiting_tickets(conn: Connection, ticket_ids: Sequence[int]) -> list[Record]:
    """These tickets, those still waiting, in the order given (id, number, key, issued_at,
    and the booked time of a checked-in booking)."""
    rows = conn.execute(
        sa.select(
            ticket_t.c.id,
            ticket_t.c.number,
            service_t.c.key,
            ticket_t.c.issued_at,
            ticket_t.c.booking_start,
        )
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .where(ticket_t.c.id.in_(list(ticket_ids)), ticket_t.c.state == TicketState.WAITING)
    )
    found = {r.id: r for r in rows}
    return [found[i] for i in ticket_ids if i in found]


def ticket_branch(conn: Connection, tracking: str) -> int | None:
    branch_id: int | None = conn.execute(
        sa.select(ticket_t.c.branch_id).where(ticket_t.c.tracking == tracking).limit(1)
    ).scalar()
    return branch_id
