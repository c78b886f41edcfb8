"""Reads shared by the service functions: services, tickets, queues and their estimates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.errors import NotFound
from skranke.queue.estimates import estimated_wait_minutes, handling_minutes
from skranke.queue.states import Area, CounterState, TicketState
from skranke.queue.views import QueuePolicy, ServiceQueue, TicketInfo
from skranke.store import memo
from skranke.store.prepared import Prepared, Record
from skranke.store.tables import (
    branch_t,
    counter_service_t,
    counter_t,
    service_t,
    ticket_t,
)

WAITING = TicketState.WAITING.value


# Hot-path statements are built once with bind parameters (building a SQLAlchemy statement
# costs several times more than SQLite takes to run it) and prepared (see `prepared`).
_bp = sa.bindparam
_BRANCH = Prepared(sa.select(branch_t).where(branch_t.c.key == _bp("branch")))
_SERVICE = Prepared(
    sa.select(service_t, branch_t.c.key.label("branch_key"), branch_t.c.timezone)
    .join(branch_t, branch_t.c.id == service_t.c.branch_id)
    .where(branch_t.c.key == _bp("branch"), service_t.c.key == _bp("service"))
)
_COUNTER = Prepared(sa.select(counter_t).where(counter_t.c.id == _bp("id")))
_TICKET = Prepared(sa.select(ticket_t).where(ticket_t.c.id == _bp("id")))
_RECENT_HANDLING = Prepared(
    sa.select(ticket_t.c.served_at, ticket_t.c.finished_at)
    .where(
        ticket_t.c.service_id == _bp("service_id"),
        ticket_t.c.state == TicketState.DONE.value,
        ticket_t.c.served_at.is_not(None),
        # Lets the index skip the waiting tickets, whose finished_at is still empty.
        ticket_t.c.finished_at.is_not(None),
    )
    .order_by(ticket_t.c.finished_at.desc())
    .limit(_bp("history"))
)
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
_OPEN_COUNTERS = (
    sa.select(sa.func.count())
    .select_from(
        counter_service_t.join(counter_t, counter_t.c.id == counter_service_t.c.counter_id)
    )
    .where(
        counter_service_t.c.service_id == _bp("service_id"),
        counter_t.c.state == CounterState.OPEN.value,
    )
    .scalar_subquery()
)
_QUEUE_FACTS = Prepared(sa.select(_AHEAD.label("ahead"), _OPEN_COUNTERS.label("counters")))
# A ticket about to be issued is the newest, so everyone waiting is ahead of it: a plain count
# over the index. Issuing reads these in the RETURNING of the statement that draws its number
# (`tickets._bump`), one statement fewer per ticket. On SQLite, SQLAlchemy writes RETURNING
# without table names, so every column a subquery names must be unambiguous among that
# subquery's own tables (SQL resolves a bare name in the innermost query first).
NEWEST_FACTS = (
    sa.select(sa.func.count())
    .where(ticket_t.c.service_id == _bp("service_id"), ticket_t.c.state == WAITING)
    .scalar_subquery()
    .label("ahead"),
    _OPEN_COUNTERS.label("counters"),
)


def branch_row(conn: Connection, branch_key: str) -> Record:
    row = _BRANCH.first(conn, {"branch": branch_key})
    if row is None:
        raise NotFound(f"Unknown branch {branch_key!r}")
    return row


def service_row(conn: Connection, branch_key: str, service_key: str) -> Record:
    row = _SERVICE.first(conn, {"branch": branch_key, "service": service_key})
    if row is None or not row.active:
        branch_row(conn, branch_key)
        raise NotFound(f"Unknown service {service_key!r} at branch {branch_key!r}")
    return row


def known_service(conn: Connection, branch_key: str, service_key: str) -> Record:
    """`service_row`, remembered on the connection (see `memo`): issuing reads it every time."""
    key = ("service", branch_key, service_key)
    row: Record = memo.recall(conn, key, lambda: service_row(conn, branch_key, service_key))
    return row


def counter_row(conn: Connection, counter_id: int) -> Record:
    row = _COUNTER.first(conn, {"id": counter_id})
    if row is None:
        raise NotFound(f"Unknown counter {counter_id}")
    return row


def ticket_row(conn: Connection, ticket_id: int) -> Record:
    row = _TICKET.first(conn, {"id": ticket_id})
    if row is None:
        raise NotFound(f"Unknown ticket {ticket_id}")
    return row


def handling_by_service(
    conn: Connection, service_ids: Sequence[int], history: int
) -> dict[int, list[float]]:
    """Handling minutes of the last `history` finished tickets of each service."""
    recent = (
        sa.select(
            ticket_t.c.service_id,
            ticket_t.c.served_at,
            ticket_t.c.finished_at,
            sa.func.row_number()
            .over(partition_by=ticket_t.c.service_id, order_by=ticket_t.c.finished_at.desc())
            .label("rn"),
        )
        .where(
            ticket_t.c.service_id.in_(service_ids),
            ticket_t.c.state == TicketState.DONE.value,
            ticket_t.c.served_at.is_not(None),
        )
        .subquery()
    )
    rows = conn.execute(
        sa.select(recent.c.service_id, recent.c.served_at, recent.c.finished_at).where(
            recent.c.rn <= history
        )
    )
    durations: dict[int, list[float]] = {sid: [] for sid in service_ids}
    for sid, served, finished in rows:
        durations[sid].append((finished - served).total_seconds() / 60.0)
    return durations


def open_counters_by_service(conn: Connection, service_ids: Sequence[int]) -> dict[int, int]:
    rows = conn.execute(
        sa.select(counter_service_t.c.service_id, sa.func.count())
        .join(counter_t, counter_t.c.id == counter_service_t.c.counter_id)
        .where(
            counter_service_t.c.service_id.in_(service_ids),
            counter_t.c.state == CounterState.OPEN.value,
        )
        .group_by(counter_service_t.c.service_id)
    )
    return {sid: count for sid, count in rows}


def _durations(conn: Connection, service_id: int, policy: QueuePolicy) -> list[float]:
    params = {"service_id": service_id, "history": policy.estimate_history}
    recent = _RECENT_HANDLING.all(conn, params)
    return [(done - served).total_seconds() / 60.0 for served, done in recent]


def _place(ahead: int, counters: int, recent: list[float], expected: int) -> tuple[int, int]:
    per_ticket = handling_minutes(recent, float(expected))
    return ahead + 1, estimated_wait_minutes(ahead, per_ticket, counters)


def place_in_queue(
    conn: Connection,
    service_id: int,
    expected_minutes: int,
    issued_at: datetime,
    ticket_id: int,
    policy: QueuePolicy,
) -> tuple[int, int]:
    """(position, estimated wait minutes) of a waiting ticket; position 1 is next."""
    params = {"service_id": service_id, "issued_at": issued_at, "ticket_id": ticket_id}
    facts = _QUEUE_FACTS.one(conn, params)
    recent = _durations(conn, service_id, policy)
    return _place(facts.ahead, facts.counters, recent, expected_minutes)


def newest_place(
    conn: Connection, service: Record, ahead: int, counters: int, policy: QueuePolicy
) -> tuple[int, int]:
    """`place_in_queue` for a ticket being issued, from the `NEWEST_FACTS` read with its number.

    The handling times are remembered (see `memo`) until a ticket of the service finishes.
    """
    recent = memo.recall(
        conn, ("handling", service.id), lambda: _durations(conn, service.id, policy)
    )
    return _place(ahead, counters, recent, service.expected_minutes)


def ticket_info(
    conn: Connection, policy: QueuePolicy, *, ticket_id: int | None = None, tracking: str = ""
) -> TicketInfo:
    query = (
        sa.select(
            ticket_t,
            branch_t.c.key.label("branch_key"),
            service_t.c.key.label("service_key"),
            service_t.c.name_da,
            service_t.c.name_en,
            service_t.c.area,
            service_t.c.expected_minutes,
            counter_t.c.number.label("counter_number"),
            counter_t.c.name.label("counter_name"),
        )
        .join(branch_t, branch_t.c.id == ticket_t.c.branch_id)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .outerjoin(counter_t, counter_t.c.id == ticket_t.c.counter_id)
    )
    if ticket_id is not None:
        query = query.where(ticket_t.c.id == ticket_id)
    else:
        # A transfer re-queues the citizen under the same tracking token: show the newest.
        query = query.where(ticket_t.c.tracking == tracking).order_by(ticket_t.c.id.desc())
    row = conn.execute(query.limit(1)).first()
    if row is None:
        raise NotFound(f"Unknown ticket {ticket_id if ticket_id is not None else tracking!r}")
    position = estimate = None
    if row.state == WAITING:
        position, estimate = place_in_queue(
            conn, row.service_id, row.expected_minutes, row.issued_at, row.id, policy
        )
    return TicketInfo(
        id=row.id,
        number=row.number,
        state=TicketState(row.state),
        branch_key=row.branch_key,
        service_key=row.service_key,
        service_name_da=row.name_da,
        service_name_en=row.name_en,
        area=Area(row.area),
        tracking=row.tracking,
        language=row.language,
        issued_at=row.issued_at,
        called_at=row.called_at,
        counter_id=row.counter_id,
        counter_number=row.counter_number,
        counter_name=row.counter_name,
        recall_count=row.recall_count,
        position=position,
        estimated_wait_minutes=estimate,
    )


def queue_status(
    conn: Connection, branch_key: str, now: datetime, policy: QueuePolicy
) -> list[ServiceQueue]:
    branch = branch_row(conn, branch_key)
    services = conn.execute(
        sa.select(service_t)
        .where(service_t.c.branch_id == branch.id, service_t.c.active.is_(True))
        .order_by(service_t.c.sort_order, service_t.c.id)
    ).all()
    ids = [s.id for s in services]
    waiting = {
        sid: (count, oldest)
        for sid, count, oldest in conn.execute(
            sa.select(ticket_t.c.service_id, sa.func.count(), sa.func.min(ticket_t.c.issued_at))
            .where(ticket_t.c.branch_id == branch.id, ticket_t.c.state == WAITING)
            .group_by(ticket_t.c.service_id)
        )
    }
    handling = handling_by_service(conn, ids, policy.estimate_history)
    counters = open_counters_by_service(conn, ids)
    result = []
    for s in services:
        count, oldest = waiting.get(s.id, (0, None))
        longest = 0 if oldest is None else max(int((now - oldest).total_seconds() // 60), 0)
        per_ticket = handling_minutes(handling[s.id], float(s.expected_minutes))
        result.append(
            ServiceQueue(
                service_key=s.key,
                name_da=s.name_da,
                name_en=s.name_en,
                area=Area(s.area),
                prefix=s.prefix,
                walk_in=s.walk_in,
                waiting=count,
                longest_wait_minutes=longest,
                estimated_wait_minutes=estimated_wait_minutes(
                    count, per_ticket, counters.get(s.id, 0)
                ),
                open_counters=counters.get(s.id, 0),
            )
        )
    return result
