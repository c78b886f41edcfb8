"""What the live pages show, each read as one unit of work over the store's queries.

Everything returned is plain JSON-ready data: the hub serialises it once per message.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue.accounts import hash_token
from skranke.queue.calling import next_in_line
from skranke.queue.errors import NotFound
from skranke.queue.lookup import queue_status, ticket_info
from skranke.queue.states import Area
from skranke.queue.views import QueuePolicy, ServiceQueue, TicketInfo
from skranke.store import Conn, Record, counters
from skranke.store import snapshots as queries

# Read as they are by the hub and the live sockets.
from skranke.store.snapshots import service_areas as service_areas
from skranke.store.snapshots import ticket_branch as ticket_branch
from skranke.store.snapshots import ticket_facts as ticket_facts

CALL_KINDS = ("ticket.called", "ticket.recalled")
PRINTER_KINDS = ("printer.alert", "printer.recovered")
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
        "service_name": info.service_name_by_language(),  # the phone page's language too
        "area": info.area.value,
        "issued_at": iso(info.issued_at),
        "called_at": iso(info.called_at),
        "counter": counter,
        "position": info.position,
        "estimated_wait_minutes": info.estimated_wait_minutes,
        "estimated_wait_range": info.estimated_wait_range,
        "recall_count": info.recall_count,
        # The phone page opens in the language chosen at the kiosk, at the ticket's branch.
        "language": info.language,
        "branch": info.branch_key,
    }


def display_device(conn: Conn, key: str, token: str) -> DisplayDevice | None:
    row = queries.display_row(conn, key)
    if row is None or not hmac.compare_digest(row.token_hash, hash_token(token)):
        return None
    return DisplayDevice(row.id, row.key, row.name, row.branch_id, row.area, row.language)


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
    conn: Conn, branch_id: int, area: str | None, since: datetime
) -> list[dict[str, Any]]:
    # Recalls and transfers call a number again: read more than is shown and keep each
    # number's newest call, so a reloaded display lists no number twice (as live updates do).
    rows = queries.recent_events(conn, branch_id, CALL_KINDS, area, since, RECENT_CALLS * 4)
    calls: dict[str, dict[str, Any]] = {}
    for r in rows:  # newest first
        call = call_json({**r.payload, "seq": r.seq, "type": r.kind, "at": iso(r.at)}, r.area)
        calls.setdefault(str(call["number"]), call)
    return list(calls.values())[:RECENT_CALLS]


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


def _branch(conn: Conn, branch_id: int) -> Record:
    row = queries.branch_by_id(conn, branch_id)
    if row is None:
        raise NotFound(f"Unknown branch {branch_id}")
    return row


def start_of_day(now: datetime, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    return datetime.combine(now.astimezone(zone).date(), time(), zone)


def display_state(
    conn: Conn, branch_id: int, area: str | None, now: datetime, policy: QueuePolicy
) -> dict[str, Any]:
    branch = _branch(conn, branch_id)
    # Calls of earlier days mean nothing to the people in the room now.
    since = start_of_day(now, branch.timezone)
    return {
        "now": now.isoformat(),
        "branch": {"key": branch.key, "name": branch.name, "timezone": branch.timezone},
        "calls": recent_calls(conn, branch_id, area, since),
        "areas": area_figures(queue_status(conn, branch.key, now, policy), area),
    }


def counter_state(conn: Conn, counter_id: int, policy: QueuePolicy) -> dict[str, Any]:
    counter = counters.row(conn, counter_id)
    current = None
    if counter.current_ticket_id is not None:
        current = ticket_json(ticket_info(conn, policy, ticket_id=counter.current_ticket_id))
    parked = queries.parked_ticket_ids(conn, counter_id)
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


def counter_queue(
    conn: Conn, counter_id: int, queues: list[ServiceQueue], now: datetime, policy: QueuePolicy
) -> dict[str, Any]:
    """The branch's queues, the counter's own services first, and who waits for them in the
    order "call next" takes them (a checked-in booking due now before earlier walk-ins)."""
    served = queries.served_services(conn, counter_id)
    services = [
        {
            "service": q.service_key,
            "name": {"da": q.name_da, "en": q.name_en},
            "area": q.area.value,
            "waiting": q.waiting,
            "longest_wait_minutes": q.longest_wait_minutes,
            "estimated_wait_minutes": q.estimated_wait_minutes,
            "walk_in": q.walk_in,
            "mine": q.service_key in served,
        }
        for q in sorted(queues, key=lambda q: q.service_key not in served)
    ]
    waiting = queries.waiting_tickets(
        conn, next_in_line(conn, counter_id, now, policy, WAITING_LIST)
    )
    return {
        "services": services,
        "waiting": [
            {
                "id": r.id,
                "number": r.number,
                "service": r.key,
                "issued_at": iso(r.issued_at),
                "booking_start": iso(r.booking_start),
            }
            for r in waiting
        ],
    }


def printer_alerts(conn: Conn, branch_id: int, since: datetime) -> list[dict[str, Any]]:
    """The branch's kiosk printers whose newest alert since `since` has not been solved."""
    newest: dict[str, Record] = {}
    for event in queries.branch_events(conn, branch_id, PRINTER_KINDS, since):
        newest.setdefault(event.payload.get("device", ""), event)
    return [
        {
            "device": device,
            "problem": e.payload.get("problem"),
            "detail": e.payload.get("detail", ""),
            "at": iso(e.at),
        }
        for device, e in sorted(newest.items())
        if e.kind == "printer.alert"
    ]


def branch_printers(conn: Conn, branch_id: int, now: datetime) -> list[dict[str, Any]]:
    """Today's unsolved printer problems of a branch, as the counter snapshot lists them."""
    branch = _branch(conn, branch_id)
    return printer_alerts(conn, branch_id, start_of_day(now, branch.timezone))


def printer_json(event: dict[str, Any], printers: list[dict[str, Any]]) -> dict[str, Any]:
    """A printer's news for counter pages, with the whole list it leaves (a resent or
    reordered message then changes nothing)."""
    recovered = event["type"] == "printer.recovered"
    return {
        "type": "printer",
        "event": event["seq"],
        "device": event.get("device", ""),
        "problem": None if recovered else event.get("problem"),
        "detail": "" if recovered else event.get("detail", ""),
        "at": event["at"],
        "printers": printers,
    }


def counter_snapshot(
    conn: Conn, counter_id: int, now: datetime, policy: QueuePolicy
) -> dict[str, Any]:
    counter = counters.row(conn, counter_id)
    branch = _branch(conn, counter.branch_id)
    queues = queue_status(conn, branch.key, now, policy)
    return {
        "now": now.isoformat(),
        **counter_state(conn, counter_id, policy),
        **counter_queue(conn, counter_id, queues, now, policy),
        # Today's only, like the display's calls: the read stays small on a busy branch.
        "printers": printer_alerts(conn, branch.id, start_of_day(now, branch.timezone)),
    }


def ticket_state(
    conn: Conn, tracking: str, policy: QueuePolicy, now: datetime | None = None
) -> dict[str, Any] | None:
    """The phone page's ticket; its wait as of `now` (without: as of the branch's last change,
    which is when an event just made the hub ask)."""
    try:
        info = ticket_info(conn, policy, tracking=tracking, now=now)
    except NotFound:
        return None
    return ticket_json(info)


@dataclass(frozen=True)
class Refresh:
    """Fresh queue figures for every kind of page connected to one branch."""

    areas: dict[str | None, list[dict[str, Any]]]
    counters: dict[int, dict[str, Any]]
    tickets: dict[str, dict[str, Any] | None]


def branch_refresh(
    conn: Conn,
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
        counters={c: counter_queue(conn, c, queues, now, policy) for c in counter_ids},
        tickets={t: ticket_state(conn, t, policy, now) for t in trackings},
    )
