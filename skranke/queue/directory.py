"""Configuration reads for the public API and the pages: branches, services, counters."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from skranke.store import Conn, Record
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import pages as page_store
from skranke.store import snapshots as snapshot_store

# The events `issuing.alert` records; the newest of a device's says how its printer is.
PRINTER_KINDS = ("printer.alert", "printer.recovered")
ALERT = "printer.alert"


def branches(conn: Conn) -> list[dict[str, Any]]:
    return [
        {"key": r.key, "name": r.name, "address": r.address, "timezone": r.timezone}
        for r in branch_store.every_branch(conn)
    ]


def statement_details(conn: Conn) -> dict[str, str]:
    """Who the accessibility statement names: the municipality and how to reach it.

    One server serves one municipality; its details are kept per branch (the administration
    sets them), so the first active branch that has them speaks for all."""
    fields = ("municipality", "contact_email", "contact_phone", "contact_url")
    for row in branch_store.every_branch(conn):
        if row.active and any(getattr(row, f) for f in fields):
            return {f: getattr(row, f) for f in fields}
    return dict.fromkeys(fields, "")


def services(conn: Conn, branch_key: str) -> list[dict[str, Any]]:
    branch = branch_store.row(conn, branch_key)
    return [
        {
            "key": r.key,
            "name": {"da": r.name_da, "en": r.name_en},
            "area": r.area,
            "prefix": r.prefix,
            "expected_minutes": r.expected_minutes,
            "walk_in": r.walk_in,
        }
        for r in branch_store.active_services(conn, branch.id)
    ]


def counters(conn: Conn, branch_key: str) -> list[dict[str, Any]]:
    branch = branch_store.row(conn, branch_key)
    rows = counter_store.of_branch(conn, branch.id)
    served: dict[int, dict[str, float]] = {r.id: {} for r in rows}
    for counter_id, key, priority in counter_store.service_weights(conn, branch.id):
        served[counter_id][key] = priority
    return [
        {
            "id": r.id,
            "number": r.number,
            "name": r.name,
            "area": r.area,
            "state": r.state,
            "current_ticket_id": r.current_ticket_id,
            "services": served[r.id],
        }
        for r in rows
    ]


def devices(conn: Conn, branch_key: str, now: datetime) -> list[dict[str, Any]]:
    """The branch's kiosks and displays: last contact, and the printer's state today.

    `last_contact` is the newest print job of the device (made or printed): the device row
    keeps no contact time, and displays, which print nothing, have none. `printer` is None
    for a device without a printer, else "ok" or the problem of its newest alert today (the
    same day the counter page looks at).
    """
    branch = branch_store.row(conn, branch_key)
    zone = ZoneInfo(branch.timezone)
    since = datetime.combine(now.astimezone(zone).date(), time(), zone)
    newest: dict[str, Record] = {}
    for event in snapshot_store.branch_events(conn, branch.id, PRINTER_KINDS, since):
        newest.setdefault(event.payload.get("device", ""), event)
    found = []
    for r in page_store.branch_devices(conn, branch.id):
        alert = newest.get(r.key)
        problem = alert.payload.get("problem") if alert and alert.kind == ALERT else None
        found.append(
            {
                "key": r.key,
                "kind": r.kind,
                "name": r.name,
                "last_contact": r.last_print_at,
                "printer": None if not r.printer_url else (problem or "ok"),
                "printer_detail": alert.payload.get("detail", "") if problem and alert else "",
            }
        )
    return found
