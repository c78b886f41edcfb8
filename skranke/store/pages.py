"""Read queries the web pages start from: the kiosk, the counter picker, the wall display."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import DeviceKind
from skranke.store.prepared import Record
from skranke.store.print_jobs import print_job_t
from skranke.store.tables import UTCDateTime, branch_t, counter_t, device_t


def kiosk_device(conn: Connection, device_key: str) -> Record | None:
    """The kiosk's key and language with its branch's key and name; None for no such kiosk."""
    return conn.execute(
        sa.select(
            device_t.c.key,
            device_t.c.language,
            device_t.c.active,
            branch_t.c.key.label("branch_key"),
            branch_t.c.name.label("branch_name"),
        )
        .join(branch_t, branch_t.c.id == device_t.c.branch_id)
        .where(device_t.c.key == device_key, device_t.c.kind == DeviceKind.KIOSK.value)
    ).first()


def counters_with_branch(
    conn: Connection, branch_ids: frozenset[int] | None
) -> list[dict[str, Any]]:
    """Every active counter of these active branches (all when None), by branch and number.

    A deactivated counter or branch keeps its history but is no place to sit any more."""
    query = (
        sa.select(
            counter_t,
            branch_t.c.name.label("branch_name"),
            branch_t.c.key.label("branch_key"),
            branch_t.c.timezone,
        )
        .join(branch_t, branch_t.c.id == counter_t.c.branch_id)
        .where(counter_t.c.active.is_(True), branch_t.c.active.is_(True))
        .order_by(branch_t.c.name, counter_t.c.number)
    )
    if branch_ids is not None:
        query = query.where(counter_t.c.branch_id.in_(branch_ids))
    return [
        {
            "id": r.id,
            "number": r.number,
            "name": r.name,
            "area": r.area,
            "state": r.state,
            "branch_id": r.branch_id,
            "branch_name": r.branch_name,
            "branch_key": r.branch_key,
            "timezone": r.timezone,
        }
        for r in conn.execute(query)
    ]


def display_exists(conn: Connection, key: str) -> bool:
    found = conn.execute(
        sa.select(device_t.c.id).where(device_t.c.key == key, device_t.c.kind == DeviceKind.DISPLAY)
    ).first()
    return found is not None


def branch_devices(conn: Connection, branch_id: int) -> list[Record]:
    """The branch's kiosks and displays (key, kind, name, printer_url) by key, each with the
    newest time one of its print jobs was made or printed (`last_print_at`; None without)."""
    # The device row records no contact of its own; a kiosk's print jobs are the trace it
    # leaves (only `print_job` rows name a device), so that is what is read.
    touched = sa.func.coalesce(print_job_t.c.printed_at, print_job_t.c.created_at)
    latest = (
        sa.select(
            print_job_t.c.device_id,
            # Typed, so SQLite's text comes back as an aware datetime like the column's.
            sa.func.max(touched, type_=UTCDateTime()).label("last_print_at"),
        )
        .where(print_job_t.c.branch_id == branch_id)
        .group_by(print_job_t.c.device_id)
        .subquery()
    )
    query = (
        sa.select(
            device_t.c.key,
            device_t.c.kind,
            device_t.c.name,
            device_t.c.printer_url,
            latest.c.last_print_at,
        )
        .outerjoin(latest, latest.c.device_id == device_t.c.id)
        .where(device_t.c.branch_id == branch_id)
        .order_by(device_t.c.key)
    )
    return list(conn.execute(query))
