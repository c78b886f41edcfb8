"""Configuration reads for the public API and the pages: branches, services, counters."""

from __future__ import annotations

from typing import Any

from skranke.store import Conn
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store


def branches(conn: Conn) -> list[dict[str, Any]]:
    return [
        {"key": r.key, "name": r.name, "address": r.address, "timezone": r.timezone}
        for r in branch_store.every_branch(conn)
    ]


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
