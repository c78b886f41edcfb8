"""Reads for staff, kiosks and phones: a ticket's place and wait, and each queue's length."""

from __future__ import annotations

from datetime import datetime

from skranke.queue.errors import NotFound
from skranke.queue.estimates import estimated_wait_minutes, handling_minutes
from skranke.queue.states import Area, TicketState
from skranke.queue.views import QueuePolicy, ServiceQueue, TicketInfo
from skranke.store import Conn, Record
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import tickets as ticket_store


def _place(ahead: int, counters: int, recent: list[float], expected: int) -> tuple[int, int]:
    per_ticket = handling_minutes(recent, float(expected))
    return ahead + 1, estimated_wait_minutes(ahead, per_ticket, counters)


def place_in_queue(
    conn: Conn,
    service_id: int,
    expected_minutes: int,
    issued_at: datetime,
    ticket_id: int,
    policy: QueuePolicy,
) -> tuple[int, int]:
    """(position, estimated wait minutes) of a waiting ticket; position 1 is next."""
    facts = ticket_store.queue_facts(conn, service_id, issued_at, ticket_id)
    recent = ticket_store.recent_handling(conn, service_id, policy.estimate_history)
    return _place(facts.ahead, facts.counters, recent, expected_minutes)


def newest_place(
    conn: Conn, service: Record, ahead: int, counters: int, policy: QueuePolicy
) -> tuple[int, int]:
    """`place_in_queue` for a ticket being issued, from the facts read with its number.

    The handling times are remembered until a ticket of the service finishes.
    """
    recent = ticket_store.remembered_handling(conn, service.id, policy.estimate_history)
    return _place(ahead, counters, recent, service.expected_minutes)


def ticket_info(
    conn: Conn, policy: QueuePolicy, *, ticket_id: int | None = None, tracking: str = ""
) -> TicketInfo:
    row = ticket_store.info(conn, ticket_id=ticket_id, tracking=tracking)
    if row is None:
        raise NotFound(f"Unknown ticket {ticket_id if ticket_id is not None else tracking!r}")
    position = estimate = None
    if row.state == TicketState.WAITING.value:
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
    conn: Conn, branch_key: str, now: datetime, policy: QueuePolicy
) -> list[ServiceQueue]:
    branch = branch_store.row(conn, branch_key)
    services = branch_store.active_services(conn, branch.id)
    ids = [s.id for s in services]
    waiting = ticket_store.waiting_by_service(conn, branch.id)
    handling = ticket_store.handling_by_service(conn, ids, policy.estimate_history)
    counters = counter_store.open_by_service(conn, ids)
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
