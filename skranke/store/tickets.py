"""Tickets and their numbering: drawing a number, inserting, moving, and the queue reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from skranke.queue.errors import NotFound
from skranke.queue.states import Lane, TicketState
from skranke.store.counters import OPEN_FOR_SERVICE
from skranke.store.events import ACTOR_KEY
from skranke.store.prepared import Prepared, Record
from skranke.store.tables import (
    UTCDateTime,
    branch_t,
    counter_t,
    service_t,
    ticket_counter_t,
    ticket_t,
)

WAITING = TicketState.WAITING.value
DONE = TicketState.DONE.value

# Hot-path statements are built once with bind parameters (building a SQLAlchemy statement
# costs several times more than SQLite takes to run it) and prepared (see `prepared`).
_bp = sa.bindparam
_TICKET = Prepared(sa.select(ticket_t).where(ticket_t.c.id == _bp("id")))
_INSERT = Prepared(sa.insert(ticket_t).returning(ticket_t.c.id))
_AHEAD = (
    sa.select(sa.func.count())
    .where(
        ticket_t.c.service_id == _bp("service_id"),
        ticket_t.c.state == WAITING,
        sa.or_(
            ticket_t.c.issued_at < _bp("issued_at"),
            sa.and_(ticket_t.c.issued_at == _bp("issued_at"), ticket_t.c.id < _bp("ticket_id")),
        ),
    )
    .scalar_subquery()
)
_QUEUE_FACTS = Prepared(sa.select(_AHEAD.label("ahead"), OPEN_FOR_SERVICE.label("counters")))
# A ticket about to be issued is the newest, so everyone waiting is ahead of it: a plain count
# over the index. Issuing reads these in the RETURNING of the statement that draws its number
# (`_bump`), one statement fewer per ticket. On SQLite, SQLAlchemy writes RETURNING without
# table names, so every column a subquery names must be unambiguous among that subquery's own
# tables (SQL resolves a bare name in the innermost query first).
NEWEST_FACTS = (
    sa.select(sa.func.count())
    .where(ticket_t.c.service_id == _bp("service_id"), ticket_t.c.state == WAITING)
    .scalar_subquery()
    .label("ahead"),
    OPEN_FOR_SERVICE.label("counters"),
)
_bump = {
    dialect: Prepared(
        insert(ticket_counter_t)
        .values(
            branch_id=_bp("branch_id"),
            day=_bp("day"),
            prefix=_bp("prefix"),
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

_COLUMNS = (
    ticket_t.c.id,
    ticket_t.c.service_id,
    ticket_t.c.issued_at,
    ticket_t.c.booking_start,
    ticket_t.c.transferred_from_id,
    ticket_t.c.target_counter_id,
    service_t.c.area,
    service_t.c.simple,
)
_HEAD_OF_SERVICE = (
    sa.select(ticket_t.c.id)
    .where(
        ticket_t.c.service_id == service_t.c.id,
        ticket_t.c.state == WAITING,
        ticket_t.c.lane == Lane.WALK_IN,
    )
    .order_by(ticket_t.c.issued_at, ticket_t.c.id)
    .limit(1)
    .correlate(service_t)
    .scalar_subquery()
)
# Within one service walk-ins share a weight, so the oldest always outranks the rest: the
# head of each service plus every booked or transferred ticket is all routing needs.
_CANDIDATES = sa.union_all(
    sa.select(*_COLUMNS)
    .select_from(service_t)
    .join(ticket_t, ticket_t.c.id == _HEAD_OF_SERVICE)
    .where(service_t.c.branch_id == _bp("branch_id")),
    sa.select(*_COLUMNS)
    .join(service_t, service_t.c.id == ticket_t.c.service_id)
    .where(
        ticket_t.c.branch_id == _bp("branch_id"),
        ticket_t.c.state == WAITING,
        ticket_t.c.lane > Lane.WALK_IN,
    ),
)
_INFO = (
    sa.select(
        ticket_t,
        branch_t.c.key.label("branch_key"),
        service_t.c.key.label("service_key"),
        service_t.c.name_da,
        service_t.c.name_en,
        service_t.c.names.label("service_names"),
        service_t.c.area,
        service_t.c.expected_minutes,
        counter_t.c.number.label("counter_number"),
        counter_t.c.name.label("counter_name"),
    )
    .join(branch_t, branch_t.c.id == ticket_t.c.branch_id)
    .join(service_t, service_t.c.id == ticket_t.c.service_id)
    .outerjoin(counter_t, counter_t.c.id == ticket_t.c.counter_id)
)


def draw_number(conn: Connection, service: Record, day: date) -> Record:
    """Bump the day's counter for the service's prefix: (last, ahead, counters).

    The row lock makes concurrent issuers queue; `ahead` and `counters` are the service's
    waiting tickets and open counters (`NEWEST_FACTS`), read in the same statement.
    """
    params = {
        "branch_id": service.branch_id,
        "day": day,
        "prefix": service.prefix,
        "service_id": service.id,
    }
    return _bump[conn.dialect.name].one(conn, params)


def insert(conn: Connection, values: dict[str, Any]) -> int:
    """A new ticket row; returns its id."""
    ticket_id: int = _INSERT.scalar(conn, values)
    return ticket_id


def row(conn: Connection, ticket_id: int) -> Record:
    found = _TICKET.first(conn, {"id": ticket_id})
    if found is None:
        raise NotFound(f"Unknown ticket {ticket_id}")
    return found


def move(
    conn: Connection, ticket_id: int, current: TicketState, target: TicketState, **values: Any
) -> bool:
    """Set `target` (and `values`) if the ticket is still in `current`; False if it was not."""
    if values.get("called_at") is not None:
        # Statistics: the first call ends the wait; the last caller served the citizen.
        first = sa.literal(values["called_at"], UTCDateTime())
        values["first_called_at"] = sa.func.coalesce(ticket_t.c.first_called_at, first)
        if conn.info.get(ACTOR_KEY) is not None:
            values["called_by_user_id"] = conn.info[ACTOR_KEY]
    result = conn.execute(
        sa.update(ticket_t)
        .where(ticket_t.c.id == ticket_id, ticket_t.c.state == current.value)
        .values(state=target.value, **values)
    )
    return result.rowcount == 1


def find(conn: Connection, branch_id: int, number_or_id: str | int) -> Record | None:
    """The newest ticket of the branch with this id (int) or number (str): id, state, number."""
    column = ticket_t.c.id if isinstance(number_or_id, int) else ticket_t.c.number
    return conn.execute(
        sa.select(ticket_t.c.id, ticket_t.c.state, ticket_t.c.number)
        .where(column == number_or_id, ticket_t.c.branch_id == branch_id)
        .order_by(ticket_t.c.id.desc())
        .limit(1)
    ).first()


def candidates(conn: Connection, branch_id: int) -> list[Record]:
    """Waiting tickets routing may choose from, with their service's area and `simple`."""
    return list(conn.execute(_CANDIDATES, {"branch_id": branch_id}))


def info(conn: Connection, *, ticket_id: int | None = None, tracking: str = "") -> Record | None:
    """A ticket with its branch, service and counter; by id, or the newest for `tracking`."""
    if ticket_id is not None:
        query = _INFO.where(ticket_t.c.id == ticket_id)
    else:
        # A transfer re-queues the citizen under the same tracking token: show the newest.
        query = _INFO.where(ticket_t.c.tracking == tracking).order_by(ticket_t.c.id.desc())
    return conn.execute(query.limit(1)).first()


def queue_facts(conn: Connection, service_id: int, issued_at: datetime, ticket_id: int) -> Record:
    """(ahead, counters): waiting tickets before this one, and open counters for its service."""
    params = {"service_id": service_id, "issued_at": issued_at, "ticket_id": ticket_id}
    return _QUEUE_FACTS.one(conn, params)


def waiting_by_service(conn: Connection, branch_id: int) -> dict[int, tuple[int, datetime]]:
    """Service id -> (waiting tickets, oldest issue time), for services with anyone waiting."""
    rows = conn.execute(
        sa.select(ticket_t.c.service_id, sa.func.count(), sa.func.min(ticket_t.c.issued_at))
        .where(ticket_t.c.branch_id == branch_id, ticket_t.c.state == WAITING)
        .group_by(ticket_t.c.service_id)
    )
    return {sid: (count, oldest) for sid, count, oldest in rows}


# The night's close-day job: tickets a day left open end as closed.
def close_tickets(
    conn: Connection,
    branch_id: int,
    day: date,
    states: Iterable[TicketState],
    now: datetime,
    *,
    include_day: bool,
) -> int:
    """Close a branch's tickets in `states` from before `day` (and of `day` if included)."""
    until = ticket_t.c.day <= day if include_day else ticket_t.c.day < day
    return int(
        conn.execute(
            sa.update(ticket_t)
            .where(
                ticket_t.c.branch_id == branch_id,
                ticket_t.c.state.in_([s.value for s in states]),
                until,
            )
            .values(state=TicketState.CLOSED.value, finished_at=now)
        ).rowcount
    )
