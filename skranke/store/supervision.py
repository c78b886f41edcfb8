"""Read queries behind the live supervisor view (`skranke.displays.supervisor` assembles them).

Nothing here names a citizen: ticket numbers, services and times only.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import TicketState
from skranke.store.prepared import Record
from skranke.store.print_jobs import print_job_t
from skranke.store.tables import (
    branch_t,
    counter_t,
    device_t,
    event_t,
    service_t,
    staff_user_t,
    ticket_t,
)

BRANCH = sa.select(branch_t.c.id, branch_t.c.key, branch_t.c.name, branch_t.c.timezone)


def branch_by_key(conn: Connection, key: str) -> Record | None:
    return conn.execute(BRANCH.where(branch_t.c.key == key)).first()


def branch_by_id(conn: Connection, branch_id: int) -> Record | None:
    return conn.execute(BRANCH.where(branch_t.c.id == branch_id)).first()


def counters(conn: Connection, branch_id: int) -> list[Record]:
    """The branch's active counters with the ticket each is serving (number, state, since)."""
    current = ticket_t.alias("current")
    return list(
        conn.execute(
            sa.select(
                counter_t.c.id,
                counter_t.c.number,
                counter_t.c.name,
                counter_t.c.area,
                counter_t.c.state,
                current.c.number.label("ticket"),
                current.c.state.label("ticket_state"),
                current.c.called_at.label("ticket_since"),
                service_t.c.key.label("ticket_service"),
            )
            .outerjoin(current, current.c.id == counter_t.c.current_ticket_id)
            .outerjoin(service_t, service_t.c.id == current.c.service_id)
            .where(counter_t.c.branch_id == branch_id, counter_t.c.active.is_(True))
            .order_by(counter_t.c.number)
        )
    )


def counter_people(conn: Connection, branch_id: int, since: datetime) -> dict[int, str]:
    """counter id -> the staff member who last acted there since `since` (calls, states)."""
    newest = (
        sa.select(event_t.c.counter_id, sa.func.max(event_t.c.seq).label("seq"))
        .where(
            event_t.c.branch_id == branch_id,
            event_t.c.at >= since,
            event_t.c.counter_id.is_not(None),
            event_t.c.payload["user_id"].as_integer().is_not(None),
        )
        .group_by(event_t.c.counter_id)
        .subquery()
    )
    user_id = event_t.c.payload["user_id"].as_integer()
    rows = conn.execute(
        sa.select(event_t.c.counter_id, staff_user_t.c.username)
        .join(newest, newest.c.seq == event_t.c.seq)
        .join(staff_user_t, staff_user_t.c.id == user_id)
    )
    return {r.counter_id: r.username for r in rows}


def queues(conn: Connection, branch_id: int) -> list[Record]:
    """Active services: waiting count and the oldest waiting ticket's issue time."""
    waiting = (
        sa.select(
            ticket_t.c.service_id,
            sa.func.count().label("waiting"),
            sa.func.min(ticket_t.c.issued_at).label("oldest"),
        )
        .where(ticket_t.c.branch_id == branch_id, ticket_t.c.state == TicketState.WAITING.value)
        .group_by(ticket_t.c.service_id)
        .subquery()
    )
    return list(
        conn.execute(
            sa.select(
                service_t.c.id,
                service_t.c.key,
                service_t.c.name_da,
                service_t.c.name_en,
                service_t.c.area,
                service_t.c.target_minutes,
                sa.func.coalesce(waiting.c.waiting, 0).label("waiting"),
                waiting.c.oldest,
            )
            .outerjoin(waiting, waiting.c.service_id == service_t.c.id)
            .where(service_t.c.branch_id == branch_id, service_t.c.active.is_(True))
            .order_by(service_t.c.area, service_t.c.sort_order, service_t.c.id)
        )
    )


def devices(conn: Connection, branch_id: int) -> list[Record]:
    """Active kiosks and displays: last contact, and for a kiosk its newest print job."""
    jobs = (
        sa.select(
            print_job_t.c.device_id,
            sa.func.max(print_job_t.c.created_at).label("last_job"),
            sa.func.max(print_job_t.c.printed_at).label("last_printed"),
        )
        .where(print_job_t.c.branch_id == branch_id)
        .group_by(print_job_t.c.device_id)
        .subquery()
    )
    return list(
        conn.execute(
            sa.select(
                device_t.c.key,
                device_t.c.name,
                device_t.c.kind,
                device_t.c.printer_url.is_not(None).label("has_printer"),
                device_t.c.last_contact_at,
                jobs.c.last_job,
                jobs.c.last_printed,
            )
            .outerjoin(jobs, jobs.c.device_id == device_t.c.id)
            .where(device_t.c.branch_id == branch_id, device_t.c.active.is_(True))
            .order_by(device_t.c.kind, device_t.c.key)
        )
    )
