"""A small branch on SQLite and PostgreSQL, and a few walk-ins waiting for change of address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import TicketSource
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database
from skranke.store.tables import outbox_t, ticket_contact_t
from tests.conftest import database_with
from tests.integration.conftest import MONDAY_MORNING, TOWN

POLICY = QueuePolicy()
T0 = MONDAY_MORNING
MINUTE = timedelta(minutes=1)
PHONE = "+4512345678"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with database_with(database_url, TOWN) as database:
        yield database


async def walk_ins(db: Database, count: int, service: str = "flytning") -> list[str]:
    """`count` waiting walk-ins, a minute apart; their tracking tokens, first in line first."""
    tracking = []
    for n in range(count):
        info = await db.write(
            issue_ticket, "lilleby", service, T0 + n * MINUTE, POLICY, source=TicketSource.KIOSK
        )
        tracking.append(info.tracking)
    return tracking


def contact_rows(conn: Connection) -> list[tuple[int, str | None]]:
    rows = conn.execute(sa.select(ticket_contact_t.c.ticket_id, ticket_contact_t.c.phone))
    return [(r.ticket_id, r.phone) for r in rows]


def notices_of_tickets(conn: Connection) -> list[tuple[int, str]]:
    """(ticket_id, state) of every ticket notice in the outbox."""
    rows = conn.execute(
        sa.select(outbox_t.c.ticket_id, outbox_t.c.state)
        .where(outbox_t.c.ticket_id.is_not(None))
        .order_by(outbox_t.c.id)
    )
    return [(r.ticket_id, r.state) for r in rows]
