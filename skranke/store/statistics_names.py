"""The names and branches the statistics refer to: what the figures' ids mean, and which
branches a caller may ask about. No citizen is named here either."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.prepared import Record
from skranke.store.tables import branch_t, counter_t, service_t, staff_user_t


def names(conn: Connection, branch_ids: Collection[int] | None) -> dict[str, list[Record]]:
    """The branches, services, counters and staff the figures refer to, by id."""

    def where(column: Any) -> Any:
        return sa.true() if branch_ids is None else column.in_(list(branch_ids))

    return {
        "branches": list(
            conn.execute(
                sa.select(branch_t.c.id, branch_t.c.key, branch_t.c.name, branch_t.c.timezone)
                .where(where(branch_t.c.id))
                .order_by(branch_t.c.name)
            )
        ),
        "services": list(
            conn.execute(
                sa.select(
                    service_t.c.id,
                    service_t.c.branch_id,
                    service_t.c.key,
                    service_t.c.name_da,
                    service_t.c.name_en,
                    service_t.c.area,
                    service_t.c.target_minutes,
                    service_t.c.sort_order,
                )
                .where(where(service_t.c.branch_id))
                .order_by(service_t.c.branch_id, service_t.c.sort_order, service_t.c.id)
            )
        ),
        "counters": list(
            conn.execute(
                sa.select(
                    counter_t.c.id,
                    counter_t.c.branch_id,
                    counter_t.c.number,
                    counter_t.c.name,
                    counter_t.c.area,
                )
                .where(where(counter_t.c.branch_id))
                .order_by(counter_t.c.branch_id, counter_t.c.number)
            )
        ),
        "users": list(
            conn.execute(
                sa.select(staff_user_t.c.id, staff_user_t.c.username).order_by(
                    staff_user_t.c.username
                )
            )
        ),
    }


def visible_branches(conn: Connection, branch_ids: Collection[int] | None) -> list[Record]:
    """The branches a caller may see figures of (id, key, name, timezone), by name."""
    query = sa.select(branch_t.c.id, branch_t.c.key, branch_t.c.name, branch_t.c.timezone)
    if branch_ids is not None:
        query = query.where(branch_t.c.id.in_(list(branch_ids)))
    return list(conn.execute(query.order_by(branch_t.c.name)))
