"""Prepared statements give what SQLAlchemy gives; the memo never outlives a change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from skranke.demo import load_demo
from skranke.queue.issuing import issue_with_print
from skranke.queue.states import TicketSource
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store import memo
from skranke.store.branches import _SERVICE
from skranke.store.engine import Database
from skranke.store.prepared import Prepared
from skranke.store.print_jobs import INSERT_JOB
from skranke.store.tables import UTCDateTime, device_t, ticket_t
from skranke.store.tickets import _TICKET
from tests.integration.conftest import MONDAY_MORNING as T0

pytestmark = pytest.mark.anyio
POLICY = QueuePolicy()
INSERT_TICKET = Prepared(sa.insert(ticket_t).returning(ticket_t.c.id))


def minimal_ticket(service_id: int, number: str) -> dict[str, Any]:
    # Leaves out columns with Python-side defaults (state, lane, recall_count, ...).
    return {
        "branch_id": 1,
        "service_id": service_id,
        "day": date(2026, 11, 23),
        "number": number,
        "tracking": f"t-{number}",
        "issued_at": T0,
    }


async def test_rows_read_through_prepared_equal_sqlalchemy_rows(db: Database) -> None:
    info = await db.write(issue_ticket, "lilleby", "flytning", T0, POLICY)

    def both(conn: Connection) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
        pairs = []
        for prepared, params in (
            (_TICKET, {"id": info.id}),
            (_SERVICE, {"branch": "lilleby", "service": "flytning"}),
        ):
            fast = prepared.one(conn, params)
            slow = conn.execute(prepared.stmt, params).one()
            pairs.append((tuple(fast), tuple(slow)))
            assert fast._fields == tuple(slow._fields)
        return pairs

    for fast, slow in await db.write(both):
        assert fast == slow
        assert [type(v) for v in fast] == [type(v) for v in slow]
    ticket = await db.write(lambda conn: _TICKET.one(conn, {"id": info.id}))
    assert ticket.issued_at == T0 and ticket.issued_at.tzinfo is UTC
    assert ticket.day == date(2026, 11, 23)


async def test_an_insert_fills_column_defaults_as_sqlalchemy_does(db: Database) -> None:
    def insert_both(conn: Connection) -> tuple[Any, Any]:
        service_id = _SERVICE.one(conn, {"branch": "lilleby", "service": "flytning"}).id
        fast = INSERT_TICKET.scalar(conn, minimal_ticket(service_id, "F901"))
        slow = conn.execute(
            sa.insert(ticket_t).returning(ticket_t.c.id), minimal_ticket(service_id, "F902")
        ).scalar_one()
        rows = conn.execute(sa.select(ticket_t).where(ticket_t.c.id.in_([fast, slow])))
        by_id = {row.id: row._asdict() for row in rows}
        return by_id[fast], by_id[slow]

    fast, slow = await db.write(insert_both)
    different = {"id", "number", "tracking"}
    assert {k: v for k, v in fast.items() if k not in different} == {
        k: v for k, v in slow.items() if k not in different
    }
    assert fast["state"] == "waiting" and fast["recall_count"] == 0 and fast["lane"] == 0


def test_an_insert_returning_its_key_reads_lastrowid_without_returning(sqlite_db: str) -> None:
    engine = sa.create_engine(sqlite_db)
    with engine.begin() as conn:
        ticket_id = INSERT_TICKET.scalar(conn, minimal_ticket(1, "X001"))
        assert ticket_id == conn.execute(sa.select(sa.func.max(ticket_t.c.id))).scalar()
        # No kiosk with a printer has id 999: the INSERT ... SELECT inserts nothing.
        params = {"device_id": 999, "ticket_id": ticket_id, "payload": {}, "now": T0}
        assert INSERT_JOB.scalar(conn, params) is None
    compiled = next(iter(INSERT_TICKET._compiled.values()))
    assert "RETURNING" not in compiled.sql and compiled.rowid


def test_constraint_violations_raise_sqlalchemy_exceptions(sqlite_db: str) -> None:
    engine = sa.create_engine(sqlite_db)
    with engine.begin() as conn:
        INSERT_TICKET.scalar(conn, minimal_ticket(1, "X001"))
        with pytest.raises(sa.exc.IntegrityError, match="UNIQUE"):
            INSERT_TICKET.scalar(conn, minimal_ticket(1, "X001"))
        with pytest.raises(sa.exc.ArgumentError, match="'id'"):
            _TICKET.one(conn, {"number": "X001"})


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 22, 9, 30, tzinfo=UTC),  # no microseconds
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 7, 1, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_sqlite_keeps_datetimes_in_sqlalchemys_layout(moment: datetime) -> None:
    dialect = sqlite.dialect()
    generic = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    read = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert generic is not None and ours is not None and read is not None

    text = ours(moment)

    assert text == generic(moment.astimezone(UTC).replace(tzinfo=None))
    assert read(text) == moment and read(text).tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 11, 22, 9, 30))


async def test_a_rolled_back_transaction_leaves_nothing_remembered(db: Database) -> None:
    def remember_then_fail(conn: Connection) -> None:
        memo.recall(conn, "answer", lambda: "from a transaction that never was")
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await db.write(remember_then_fail)

    assert await db.write(memo.recall, "answer", lambda: "fresh") == "fresh"


async def test_a_kiosk_ticket_sees_a_printer_set_up_moments_before(sqlite_db: str) -> None:
    # Device rows are not remembered: the print job's INSERT ... SELECT reads them each time.
    db = Database(sqlite_db)
    db.start()
    try:
        creds = await db.write(load_demo, T0, None)
        assert creds.kiosk_token

        def kiosk_id(conn: Connection) -> int:
            found: int = conn.execute(
                sa.select(device_t.c.id).where(device_t.c.kind == "kiosk")
            ).scalar_one()
            return found

        kiosk = await db.read(kiosk_id)
        _, job = await db.write(issue_with_print, kiosk, "hovedbiblioteket", "flytning", T0, POLICY)
        assert job is None
        await db.write(
            lambda conn: conn.execute(
                sa.update(device_t)
                .where(device_t.c.id == kiosk)
                .values(printer_url="network://127.0.0.1:9")
            )
        )
        _, job = await db.write(
            issue_with_print,
            kiosk,
            "hovedbiblioteket",
            "flytning",
            T0,
            POLICY,
            source=TicketSource.KIOSK,
        )
        assert job is not None
    finally:
        await db.stop()


def test_the_sqlalchemy_internals_prepared_relies_on_are_still_there() -> None:
    # pyproject pins sqlalchemy to one minor line because of these; on an upgrade this test
    # says which assumption broke instead of tickets coming out wrong.
    stmt = sa.insert(ticket_t).returning(ticket_t.c.id)
    compiled = stmt.compile(dialect=sqlite.dialect(), column_keys=["number", "state"])

    assert stmt._returning == (ticket_t.c.id,), "Insert._returning changed"
    positions = list(compiled.positiontup or ())
    assert positions[:2] == ["number", "state"], "positiontup changed"
    assert set(compiled.binds) >= {"number", "state"}, "compiler binds changed"
    prefetched = {c.key for c in compiled.insert_prefetch}
    assert prefetched and prefetched <= set(positions[2:]), (
        "insert_prefetch no longer lists the Python-side defaults of columns not given"
    )
    assert "RETURNING" not in str(Prepared(stmt)._for(sqlite.dialect(), {"number": 1}).sql)
