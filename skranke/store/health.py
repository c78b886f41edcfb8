"""What the operations endpoints read: the ping of /readyz and the queue figures of /metrics."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import TicketState
from skranke.store.prepared import Record
from skranke.store.tables import branch_t, service_t, ticket_t


def ping(conn: Connection) -> None:
    """Raises unless the database answers a statement."""
    conn.execute(sa.text("SELECT 1")).scalar_one()


def queue_now(conn: Connection) -> list[Record]:
    """Per service: branch_id, branch, service, waiting (count) and oldest (issued_at or None).

    Every service is listed, an empty queue too, so a gauge reads 0 instead of vanishing.
    """
    waiting = sa.and_(
        ticket_t.c.service_id == service_t.c.id, ticket_t.c.state == TicketState.WAITING.value
    )
    query = (
        sa.select(
            branch_t.c.id.label("branch_id"),
            branch_t.c.key.label("branch"),
            service_t.c.key.label("service"),
            sa.func.count(ticket_t.c.id).label("waiting"),
            sa.func.min(ticket_t.c.issued_at).label("oldest"),
        )
        .select_from(service_t)
        .join(branch_t, branch_t.c.id == service_t.c.branch_id)
        .outerjoin(ticket_t, waiting)
        .group_by(branch_t.c.id, branch_t.c.key, service_t.c.key)
        .order_by(branch_t.c.key, service_t.c.key)
    )
    return list(conn.execute(query))
