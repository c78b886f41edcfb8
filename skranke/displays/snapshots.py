"""What the live pages show, each read as one unit of work (Core queries over the tables).

Everything returned is plain JSON-ready data: the hub serialises it once per message.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.accounts import hash_token
from skranke.queue.errors import NotFound
from skranke.queue.lookup import counter_row, queue_status, ticket_info
from skranke.queue.states import Area, DeviceKind, TicketState
from skranke.queue.views import QueuePolicy, ServiceQueue, TicketInfo
from skranke.store.tables import (
    branch_t,
    counter_service_t,
    device_t,
    event_t,
    service_t,
    ticket_t,
)

CALL_KINDS = ("ticket.called", "ticket.recalled")
RECENT_CALLS = 8
WAITING_LIST = 15


@dataclass(frozen=True)
class DisplayDevice:
    id: int
    key: str
    name: str
    branch_id: int
    area: str | None
    language: str

    @property
    def announce(self) -> list[str]:
        # Danish always; an English-speaking display adds the English sentence after it.
        return ["da", "en"] if self.language == "en" else ["da"]


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def ticket_json(info: TicketInfo) -> dict[str, Any]:
    counter = None
    if info.counter_id is not None and info.counter_number is not None:
        counter = {"id": info.counter_id, "number": info.counter_number, "name": info.counter_name}
    return {
        "id": info.id,
        "number": info.number,
        "state": info.state.value,
        "service": info.service_key,
        "service_name": {"da": info.service_name_da, "en": info.service_name_en},
        "area": info.area.value,
        "issued_at": iso(info.issued_at),
        "called_at": iso(info.called_at),
        "counter": counter,
        "position": info.position,
        "estimated_wait_minutes": info.estimated_wait_minutes,
        "recall_count": info.recall_count,
    }


def display_device(conn: Connection, key: str, token: str) -> DisplayDevice | None:
    row = conn.execute(
        sa.select(device_t).where(device_t.c.key == key, device_t.c.kind == DeviceKind.DISPLAY)
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash, hash_token(token)):
        return None
    return DisplayDevice(row.id, row.key, row.name, row.branch_id, row.area, row.language)


def ticket_facts(conn: Connection, ticket_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """ticket id -> (service area, tracking token): what routing an event needs."""
    rows = conn.execute(
        sa.select(ticket_t.c.id, service_t.c.area, ticket_t.c.tracking)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .where(ticket_t.c.id.in_(list(ticket_ids)))
    )
    return {r.id: (r.area, r.tracking) for r in rows}


def service_areas(conn: Connection, branch_id: int) -> dict[str, str]:
    rows = conn.execute(
        sa.select(service_t.c.key, service_t.c.area).where(service_t.c.branch_id == branch_id)
    )
    return {r.key: r.area for r in rows}


def call_json(event: dict[str, Any], area: str) -> dict[str, Any]:
    return {
        "type": "call",
        "event": event["seq"],
        "number": event.get("number"),
        "counter": event.get("counter_number"),
        "area": area,
        "at": event["at"],
        "recall": event["type"] == "ticket.recalled",
    }


def recent_calls(
    conn: Connection, branch_id: int, area: str | None, since: datetime
) -> list[dict[str, Any]]:
    query = (
        sa.select(event_t.c.seq, event_t.c.at, event_t.c.kind, event_t.c.payload, service_t.c.area)
        .join(ticket_t, ticket_t.c.id == event_t.c.ticket_id)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .where(
            event_t.c.branch_id == branch_id,
            event_t.c.kind.in_(CALL_KINDS),
            event_t.c.at >= since,
        )
        .order_by(event_t.c.seq.desc())
        .limit(RECENT_CALLS)
    )
    if area is not None:
        query = query.where(service_t.c.area == area)
    return [
        call_json({**r.payload, "seq": r.seq, "type": r.kind, "at": iso(r.at)}, r.area)
        for r in conn.execute(query)
    ]


def area_figures(queues: list[ServiceQueue], area: str | None) -> list[dict[str, Any]]:
    """Waiting count and the longest expected wait per area, for the wall display."""
    figures = []
    for each in Area:
        mine = [q for q in queues if q.area == each]
        if not mine or area not in (None, each.value):
            continue
        figures.append(
            {
                "area": each.value,
                "waiting": sum(q.waiting for q in mine),
                "estimated_wait_minutes": max(
                    (q.estimated_wait_minutes for q in mine if q.waiting), default=0
                ),
            }
        )
    return figures


def _branch(conn: Connection, branch_id: int) -> Any:
    row = conn.execute(sa.select(branch_t).where(branch_t.c.id == branch_id)).first()
    if row is None:
        raise NotFound(f"Unknown branch {branch_id}")
    return row


def display_state(
    conn: Connection, branch_id: int, area: str | None, now: datetime, policy: QueuePolicy
) -> dict[str, Any]:
    branch = _branch(conn, branch_id)
    zone = ZoneInfo(branch.timezone)
    # Calls of earlier days mean nothing to the people in the room now.
    since = datetime.combine(now.astimezone(zone).date(), time(), zone)
    return {
        "now": now.isoformat(),
        "branch": {"key": branch.key, "name": branch.name, "timezone": branch.timezone},
        "calls": recent_calls(conn, branch_id, area, since),
        "areas": area_figures(queue_status(conn, branch.key, now, policy), area),
    }


def counter_state(conn: Connection, counter_id: int, policy: QueuePolicy) -> dict[str, Any]:
    counter = counter_row(conn, counter_id)
    current = None
    if counter.current_ticket_id is not None:
        current = ticket_json(ticket_info(conn, policy, ticket_id=counter.current_ticket_id))
    parked = conn.execute(
        sa.select(ticket_t.c.id)
        .where(ticket_t.c.counter_id == counter_id, ticket_t.c.state == TicketState.PARKED)
        .order_by(ticket_t.c.id)
    ).scalars()
    return {
        "counter": {
            "id": counter.id,
            "number": counter.number,
            "name": counter.name,
            "area": counter.area,
            "state": counter.state,
        },
        "current": current,
        "parked": [ticket_json(ticket_info(conn, policy, ticket_id=t)) for t in parked],
    }


def counter_queue(conn: Connection, counter_id: int, queues: list[ServiceQueue]) -> dict[str, Any]:
    """The branch's queues, the counter's own services first, and who waits for them."""
    served = dict(
        conn.execute(
            sa.select(service_t.c.key, service_t.c.id)
            .join(counter_service_t, counter_service_t.c.service_id == service_t.c.id)
            .where(counter_service_t.c.counter_id == counter_id)
        ).all()
    )
    services = [
        {
            "service": q.service_key,
            "name": {"da": q.name_da, "en": q.name_en},
            "area": q.area.value,
            "waiting": q.waiting,
            "longest_wait_minutes": q.longest_wait_minutes,
            "estimated_wait_minutes": q.estimated_wait_minutes,
            "mine": q.service_key in served,
        }
        for q in sorted(queues, key=lambda q: q.service_key not in served)
    ]
    waiting = conn.execute(
        sa.select(ticket_t.c.id, ticket_t.c.number, service_t.c.key, ticket_t.c.issued_at)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .where(
            ticket_t.c.service_id.in_(list(served.values())),
            ticket_t.c.state == TicketState.WAITING,
        )
        .order_by(ticket_t.c.issued_at, ticket_t.c.id)
        .limit(WAITING_LIST)
    )
    return {
        "services": services,
        "waiting": [
            {"id": r.id, "number": r.number, "service": r.key, "issued_at": iso(r.issued_at)}
            for r in waiting
        ],
    }


def counter_snapshot(
    conn: Connection, counter_id: int, now: datetime, policy: QueuePolicy
) -> dict[str, Any]:
    counter = counter_row(conn, counter_id)
    queues = queue_status(conn, _branch(conn, counter.branch_id).key, now, policy)
    return {
        "now": now.isoformat(),
        **counter_state(conn, counter_id, policy),
        **counter_queue(conn, counter_id, queues),
    }


def ticket_state(conn: Connection, tracking: str, policy: QueuePolicy) -> dict[str, Any] | None:
    try:
        info = ticket_info(conn, policy, tracking=tracking)
    except NotFound:
        return None
    return ticket_json(info)


def ticket_branch(conn: Connection, tracking: str) -> int | None:
    branch_id: int | None = conn.execute(
        sa.select(ticket_t.c.branch_id).where(ticket_t.c.tracking == tracking).limit(1)
    ).scalar()
    return branch_id


@dataclass(frozen=True)
class Refresh:
    """Fresh queue figures for every kind of page connected to one branch."""

    areas: dict[str | None, list[dict[str, Any]]]
    counters: dict[int, dict[str, Any]]
    tickets: dict[str, dict[str, Any] | None]


def branch_refresh(
    conn: Connection,
    branch_id: int,
    areas: set[str | None],
    counter_ids: set[int],
    trackings: set[str],
    now: datetime,
    policy: QueuePolicy,
) -> Refresh:
    queues = queue_status(conn, _branch(conn, branch_id).key, now, policy)
    return Refresh(
        areas={area: area_figures(queues, area) for area in areas},
        counters={c: counter_queue(conn, c, queues) for c in counter_ids},
        tickets={t: ticket_state(conn, t, policy) for t in trackings},
    )
