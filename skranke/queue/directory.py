"""Configuration reads for the public API and the pages: branches, services, counters."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.lookup import branch_row
from skranke.store.tables import branch_t, counter_service_t, counter_t, service_t


def branches(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(branch_t).order_by(branch_t.c.name))
    return [
        {"key": r.key, "name": r.name, "address": r.address, "timezone": r.timezone} for r in rows
    ]


def services(conn: Connection, branch_key: str) -> list[dict[str, Any]]:
    branch = branch_row(conn, branch_key)
    rows = conn.execute(
        sa.select(service_t)
        .where(service_t.c.branch_id == branch.id, service_t.c.active.is_(True))
        .order_by(service_t.c.sort_order, service_t.c.id)
    )
    return [
        {
            "key": r.key,
            "name": {"da": r.name_da, "en": r.name_en},
            "area": r.area,
            "prefix": r.prefix,
            "expected_minutes": r.expected_minutes,
            "walk_in": r.walk_in,
        }
        for r in rows
    ]


def counters(conn: Connection, branch_key: str) -> list[dict[str, Any]]:
    branch = branch_row(conn, branch_key)
    rows = conn.execute(
        sa.select(counter_t).where(counter_t.c.branch_id == branch.id).order_by(counter_t.c.number)
    ).all()
    served: dict[int, dict[str, float]] = {r.id: {} for r in rows}
    for counter_id, key, priority in conn.execute(
        sa.select(counter_service_t.c.counter_id, service_t.c.key, counter_service_t.c.priority)
        .join(service_t, service_t.c.id == counter_service_t.c.service_id)
        .where(service_t.c.branch_id == branch.id)
    ):
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
