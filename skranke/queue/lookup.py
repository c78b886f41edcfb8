"""Reads for staff, kiosks and phones: a ticket's place and wait, and each queue's length."""

from __future__ import annotations

from datetime import datetime

from skranke.queue import waits
from skranke.queue.errors import NotFound
from skranke.queue.estimates import Wait
from skranke.queue.states import Area, TicketState
from skranke.queue.views import QueuePolicy, ServiceQueue, TicketInfo
from skranke.store import Conn, Record
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import tickets as ticket_store


def place_in_queue(
    conn: Conn,
    row: Record,
    policy: QueuePolicy,
    now: datetime | None = None,
) -> tuple[int, Wait]:
    """(position, wait) of a waiting ticket (a `ticket_store.info` row); position 1 is next.

    The position counts the ticket's own service; the wait comes from the branch's forecast
    (`skranke.queue.waits`), which knows every queue the counters serve.
    """
    facts = ticket_store.queue_facts(conn, row.service_id, row.issued_at, row.id)
    wait = waits.ticket_wait(conn, row.branch_id, row.service_id, row.id, now, policy)
    if wait is None:
        wait = waits.fallback(facts.ahead, None, float(row.expected_minutes))
    return facts.ahead + 1, wait


def newest_place(
    conn: Conn,
    service: Record,
    ahead: int,
    policy: QueuePolicy,
    ticket_id: int,
    now: datetime,
) -> tuple[int, Wait]:
    """`place_in_queue` for a ticket being issued, from the facts read with its number."""
    wait = waits.new_ticket_wait(conn, service.branch_id, service.id, ticket_id, now, policy)
    if wait is None:
        wait = waits.fallback(ahead, None, float(service.expected_minutes))
    return ahead + 1, wait


def ticket_info(
    conn: Conn,
    policy: QueuePolicy,
    *,
    ticket_id: int | None = None,
    tracking: str = "",
    now: datetime | None = None,
) -> TicketInfo:
    """A ticket as pages show it; a waiting one with its place and wait as of `now`
    (without `now`: as of the branch's last change)."""
    row = ticket_store.info(conn, ticket_id=ticket_id, tracking=tracking)
    if row is None:
        raise NotFound(f"Unknown ticket {ticket_id if ticket_id is not None else tracking!r}")
    position = wait = None
    if row.state == TicketState.WAITING.value:
        position, wait = place_in_queue(conn, row, policy, now)
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
        estimated_wait_minutes=None if wait is None else wait.minutes,
        estimated_wait_range=None if wait is None else wait.range,
        service_names=row.service_names or {},
        booking_start=row.booking_start,
    )


def queue_status(
    conn: Conn, branch_key: str, now: datetime, policy: QueuePolicy
) -> list[ServiceQueue]:
    """Each active service's queue, with the wait for a ticket taken now (kiosk buttons)."""
    branch = branch_store.row(conn, branch_key)
    services = branch_store.active_services(conn, branch.id)
    waiting = ticket_store.waiting_by_service(conn, branch.id)
    forecast, expected = waits.service_waits(conn, branch.id, now, policy)
    open_for = counter_store.open_by_service(conn, [s.id for s in services])
    result = []
    for s in services:
        count, oldest = waiting.get(s.id, (0, None))
        longest = 0 if oldest is None else max(int((now - oldest).total_seconds() // 60), 0)
        wait = expected.get(s.id)
        if wait is None:
            handling = forecast.handling.get(s.id)
            wait = waits.fallback(count, handling, float(s.expected_minutes))
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
                estimated_wait_minutes=wait.minutes,
                open_counters=open_for.get(s.id, 0),
                estimated_wait_range=wait.range,
                names=s.names or {},
            )
        )
    return result
