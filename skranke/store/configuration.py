"""The stored set-up: branches, services, counters and their grid, devices, staff users.

Read whole (what `/admin` and `skranke config export` show) and written row by row (what
`skranke.queue.administration.apply` does for each step of a plan). Every write forgets what
ticket issuing remembers on the connection (see `memo`): a service or branch row changed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store import memo
from skranke.store.prepared import Record
from skranke.store.tables import (
    booking_t,
    branch_t,
    counter_service_t,
    counter_t,
    device_t,
    service_t,
    staff_user_t,
    ticket_t,
)

# --- reading -------------------------------------------------------------------------------


def branches(conn: Connection, keys: Collection[str] | None = None) -> list[Record]:
    query = sa.select(branch_t).order_by(branch_t.c.id)
    if keys is not None:
        query = query.where(branch_t.c.key.in_(list(keys)))
    return list(conn.execute(query))


def services(conn: Connection, branch_ids: Collection[int]) -> list[Record]:
    return list(
        conn.execute(
            sa.select(service_t)
            .where(service_t.c.branch_id.in_(list(branch_ids)))
            .order_by(service_t.c.branch_id, service_t.c.sort_order, service_t.c.id)
        )
    )


def counters(conn: Connection, branch_ids: Collection[int]) -> list[Record]:
    return list(
        conn.execute(
            sa.select(counter_t)
            .where(counter_t.c.branch_id.in_(list(branch_ids)))
            .order_by(counter_t.c.branch_id, counter_t.c.number)
        )
    )


def grid(conn: Connection, branch_ids: Collection[int]) -> list[tuple[int, str, float]]:
    """(counter id, service key, weight) for every counter-service pair of these branches."""
    rows = conn.execute(
        sa.select(counter_service_t.c.counter_id, service_t.c.key, counter_service_t.c.priority)
        .join(service_t, service_t.c.id == counter_service_t.c.service_id)
        .where(service_t.c.branch_id.in_(list(branch_ids)))
    )
    return [(r.counter_id, r.key, r.priority) for r in rows]


def devices(conn: Connection, branch_ids: Collection[int]) -> list[Record]:
    return list(
        conn.execute(
            sa.select(device_t)
            .where(device_t.c.branch_id.in_(list(branch_ids)))
            .order_by(device_t.c.key)
        )
    )


def device(conn: Connection, key: str) -> Record | None:
    return conn.execute(sa.select(device_t).where(device_t.c.key == key)).first()


def staff(conn: Connection) -> list[Record]:
    return list(conn.execute(sa.select(staff_user_t).order_by(staff_user_t.c.username)))


def staff_user(conn: Connection, username: str) -> Record | None:
    return conn.execute(sa.select(staff_user_t).where(staff_user_t.c.username == username)).first()


def branch_ids(conn: Connection, keys: Collection[str]) -> dict[str, int]:
    rows = conn.execute(
        sa.select(branch_t.c.key, branch_t.c.id).where(branch_t.c.key.in_(list(keys)))
    )
    return {r.key: r.id for r in rows}


def branch_keys(conn: Connection, ids: Collection[int] | None) -> dict[int, str]:
    """Branch id -> key, of these branches or (None) of every one."""
    query = sa.select(branch_t.c.id, branch_t.c.key)
    if ids is not None:
        query = query.where(branch_t.c.id.in_(list(ids)))
    return {r.id: r.key for r in conn.execute(query)}


def service_ids(conn: Connection, branch_id: int) -> dict[str, int]:
    rows = conn.execute(
        sa.select(service_t.c.key, service_t.c.id).where(service_t.c.branch_id == branch_id)
    )
    return {r.key: r.id for r in rows}


def counter_id(conn: Connection, branch_id: int, number: int) -> int | None:
    found: int | None = conn.execute(
        sa.select(counter_t.c.id).where(
            counter_t.c.branch_id == branch_id, counter_t.c.number == number
        )
    ).scalar()
    return found


def service_in_use(conn: Connection, service_id: int) -> bool:
    """Whether a ticket or booking refers to the service: then it is kept, deactivated."""
    ticket = sa.select(ticket_t.c.id).where(ticket_t.c.service_id == service_id).limit(1)
    booking = sa.select(booking_t.c.id).where(booking_t.c.service_id == service_id).limit(1)
    return conn.execute(ticket).first() is not None or conn.execute(booking).first() is not None


def counter_in_use(conn: Connection, counter_id: int) -> bool:
    found = conn.execute(
        sa.select(ticket_t.c.id)
        .where(
            sa.or_(ticket_t.c.counter_id == counter_id, ticket_t.c.target_counter_id == counter_id)
        )
        .limit(1)
    ).first()
    return found is not None


# --- writing -------------------------------------------------------------------------------


def _insert(conn: Connection, t: sa.Table, values: Mapping[str, Any]) -> int:
    new_id: int = conn.execute(sa.insert(t).values(**values).returning(t.c.id)).scalar_one()
    memo.forget(conn)
    return new_id


def _update(conn: Connection, t: sa.Table, row_id: int, values: Mapping[str, Any]) -> None:
    if values:
        conn.execute(sa.update(t).where(t.c.id == row_id).values(**values))
        memo.forget(conn)


def insert_branch(conn: Connection, values: Mapping[str, Any]) -> int:
    return _insert(conn, branch_t, values)


def update_branch(conn: Connection, branch_id: int, values: Mapping[str, Any]) -> None:
    _update(conn, branch_t, branch_id, values)


def insert_service(conn: Connection, values: Mapping[str, Any]) -> int:
    return _insert(conn, service_t, values)


def update_service(conn: Connection, service_id: int, values: Mapping[str, Any]) -> None:
    _update(conn, service_t, service_id, values)


def delete_service(conn: Connection, service_id: int) -> None:
    """Only for a service nothing refers to (see `service_in_use`)."""
    conn.execute(sa.delete(counter_service_t).where(counter_service_t.c.service_id == service_id))
    conn.execute(sa.delete(service_t).where(service_t.c.id == service_id))
    memo.forget(conn)


def insert_counter(conn: Connection, values: Mapping[str, Any]) -> int:
    return _insert(conn, counter_t, values)


def update_counter(conn: Connection, counter_id: int, values: Mapping[str, Any]) -> None:
    _update(conn, counter_t, counter_id, values)


def delete_counter(conn: Connection, counter_id: int) -> None:
    """Only for a counter no ticket refers to (see `counter_in_use`)."""
    conn.execute(sa.delete(counter_service_t).where(counter_service_t.c.counter_id == counter_id))
    conn.execute(sa.delete(counter_t).where(counter_t.c.id == counter_id))
    memo.forget(conn)


def set_counter_services(conn: Connection, counter_id: int, weights: Mapping[int, float]) -> None:
    """The counter serves exactly these services (service id -> weight)."""
    conn.execute(sa.delete(counter_service_t).where(counter_service_t.c.counter_id == counter_id))
    if weights:
        conn.execute(
            sa.insert(counter_service_t),
            [
                {"counter_id": counter_id, "service_id": sid, "priority": weight}
                for sid, weight in weights.items()
            ],
        )
    memo.forget(conn)


def insert_device(conn: Connection, values: Mapping[str, Any]) -> int:
    return _insert(conn, device_t, values)


def update_device(conn: Connection, device_id: int, values: Mapping[str, Any]) -> None:
    _update(conn, device_t, device_id, values)


def insert_staff(conn: Connection, values: Mapping[str, Any]) -> int:
    return _insert(conn, staff_user_t, values)


def update_staff(conn: Connection, user_id: int, values: Mapping[str, Any]) -> None:
    _update(conn, staff_user_t, user_id, values)
