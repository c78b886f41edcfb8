"""Branches and their services: the configuration every ticket is issued against."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.errors import NotFound
from skranke.store import memo
from skranke.store.prepared import Prepared, Record
from skranke.store.tables import branch_t, service_t

# Built once with bind parameters (building a SQLAlchemy statement costs several times more
# than SQLite takes to run it) and prepared (see `prepared`): issuing reads them.
_bp = sa.bindparam
_BRANCH = Prepared(sa.select(branch_t).where(branch_t.c.key == _bp("branch")))
_SERVICE = Prepared(
    sa.select(service_t, branch_t.c.key.label("branch_key"), branch_t.c.timezone)
    .join(branch_t, branch_t.c.id == service_t.c.branch_id)
    .where(branch_t.c.key == _bp("branch"), service_t.c.key == _bp("service"))
)


def row(conn: Connection, branch_key: str) -> Record:
    found = _BRANCH.first(conn, {"branch": branch_key})
    if found is None:
        raise NotFound(f"Unknown branch {branch_key!r}")
    return found


def service(conn: Connection, branch_key: str, service_key: str) -> Record:
    """An active service with its branch's key and time zone."""
    found = _SERVICE.first(conn, {"branch": branch_key, "service": service_key})
    if found is None or not found.active:
        # Say which of the two is unknown.
        row(conn, branch_key)
        raise NotFound(
            f"Unknown service {service_key!r} at branch {branch_key!r}",
            reason="unknown_service",
            service=service_key,
        )
    return found


def known_service(conn: Connection, branch_key: str, service_key: str) -> Record:
    """`service`, remembered on the connection (see `memo`): issuing reads it every time."""
    key = ("service", branch_key, service_key)
    found: Record = memo.recall(conn, key, lambda: service(conn, branch_key, service_key))
    return found


def service_id(conn: Connection, branch_id: int, service_key: str) -> int | None:
    found: int | None = conn.execute(
        sa.select(service_t.c.id).where(
            service_t.c.branch_id == branch_id, service_t.c.key == service_key
        )
    ).scalar()
    return found


def service_key(conn: Connection, service_id: int) -> str:
    key: str = conn.execute(
        sa.select(service_t.c.key).where(service_t.c.id == service_id)
    ).scalar_one()
    return key


def policy(conn: Connection, branch_id: int) -> Record | None:
    """The branch's own rules (each None where the server's setting applies)."""
    found: Record | None = conn.execute(
        sa.select(
            branch_t.c.overflow_threshold_minutes,
            branch_t.c.recall_limit,
            branch_t.c.booking_call_window_minutes,
        ).where(branch_t.c.id == branch_id)
    ).first()
    return found


def every_branch(conn: Connection) -> list[Record]:
    return list(conn.execute(sa.select(branch_t).order_by(branch_t.c.name)))


def active_services(conn: Connection, branch_id: int) -> list[Record]:
    """The branch's active services in the order the kiosk shows them."""
    return list(
        conn.execute(
            sa.select(service_t)
            .where(service_t.c.branch_id == branch_id, service_t.c.active.is_(True))
            .order_by(service_t.c.sort_order, service_t.c.id)
        )
    )


def insert(conn: Connection, values: dict[str, Any]) -> int:
    branch_id: int = conn.execute(
        sa.insert(branch_t).values(**values).returning(branch_t.c.id)
    ).scalar_one()
    return branch_id


def insert_service(conn: Connection, values: dict[str, Any]) -> int:
    new_id: int = conn.execute(
        sa.insert(service_t).values(**values).returning(service_t.c.id)
    ).scalar_one()
    return new_id
