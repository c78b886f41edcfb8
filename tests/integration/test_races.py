"""Counters and kiosks racing through a real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench import _http
from skranke.config import Settings
from skranke.queue.accounts import create_token, create_user, upsert_device
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec, create_branch
from skranke.queue.states import Area, DeviceKind, Role, TicketSource
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database
from skranke.store.tables import ticket_t
from skranke.web.app import create_app
from tests.conftest import ServerThread

COUNTERS = 20
TICKETS = 800
B = Area.BORGERSERVICE
BUSY_TOWN = BranchSpec(
    key="travlby",
    name="Travlby Borgerservice",
    services=[
        ServiceSpec("flytning", "Flytning", "Change of address", B, "F"),
        ServiceSpec("mitid", "MitID", "MitID", B, "M"),
    ],
    counters=[
        CounterSpec(n, B, {"flytning": 1.0, "mitid": 1.0 + (n % 3)}) for n in range(1, COUNTERS + 1)
    ],
)


def setup_branch(conn: Connection) -> tuple[str, str]:
    create_branch(conn, BUSY_TOWN)
    create_user(conn, "skranke-test", "correct horse battery", Role.STAFF, ["travlby"])
    staff = create_token(conn, "skranke-test", "race", datetime.now(UTC))
    kiosk = upsert_device(conn, "kiosk-race", DeviceKind.KIOSK, "travlby")
    return staff, kiosk


def issue_many(conn: Connection, count: int) -> None:
    now = datetime.now(UTC)
    for i in range(count):
        service = "mitid" if i % 4 == 0 else "flytning"
        issue_ticket(conn, "travlby", service, now, QueuePolicy(), source=TicketSource.STAFF)


def all_tickets(conn: Connection) -> list[tuple[int, str, str]]:
    return [
        tuple(r)
        for r in conn.execute(sa.select(ticket_t.c.id, ticket_t.c.number, ticket_t.c.state))
    ]  # type: ignore[misc]


async def prepare(url: str, tickets: int) -> tuple[str, str]:
    db = Database(url)
    db.start()
    try:
        staff, kiosk = await db.write(setup_branch)
        await db.write(issue_many, tickets)
        return staff, kiosk
    finally:
        await db.stop()


async def read_tickets(url: str) -> list[tuple[int, str, str]]:
    db = Database(url)
    db.start()
    try:
        return await db.read(all_tickets)
    finally:
        await db.stop()


async def counter_loop(port: int, counter: int, staff: str) -> list[int]:
    # A raw keep-alive client: httpx would spend more CPU than the server under test.
    conn = _http.Connection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {staff}"}
    call_next = _http.post(f"/api/v1/counters/{counter}/call-next", None, headers)
    called: list[int] = []
    try:
        # Bounded: even if the server misbehaved, no counter loops for ever.
        for _ in range(TICKETS + 10):
            status, body = await conn.exchange(call_next)
            if status == 204:
                return called
            assert status == 200, body
            ticket = json.loads(body)["id"]
            called.append(ticket)
            status, body = await conn.exchange(
                _http.post(f"/api/v1/tickets/{ticket}/finish", None, headers)
            )
            assert status == 200, body
    finally:
        await conn.close()
    raise AssertionError(f"counter {counter} never saw an empty queue")


@pytest.mark.slow
def test_twenty_counters_call_every_ticket_exactly_once(database_url: str) -> None:
    staff, _ = asyncio.run(prepare(database_url, TICKETS))

    async def race(port: int) -> list[list[int]]:
        loops = (counter_loop(port, n, staff) for n in range(1, COUNTERS + 1))
        return await asyncio.wait_for(asyncio.gather(*loops), timeout=300)

    with ServerThread(create_app(Settings(database_url=database_url))) as server:
        per_counter = asyncio.run(race(server.port))

    called = [t for tickets in per_counter for t in tickets]
    twice = [t for t, n in Counter(called).items() if n > 1]
    stored = asyncio.run(read_tickets(database_url))
    assert twice == []
    assert len(called) == TICKETS
    assert {state for _, _, state in stored} == {"done"}
    assert sum(1 for tickets in per_counter if tickets) > COUNTERS // 2


@pytest.mark.slow
def test_concurrent_kiosks_never_get_the_same_number(database_url: str) -> None:
    _, kiosk = asyncio.run(prepare(database_url, 0))

    async def issue_all(base: str) -> list[str]:
        headers = {"Authorization": f"Bearer {kiosk}"}
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:

            async def one(i: int) -> str:
                response = await client.post(
                    "/api/v1/branches/travlby/tickets",
                    json={"service": "mitid" if i % 2 else "flytning"},
                    headers=headers,
                )
                assert response.status_code == 201, response.text
                number: str = response.json()["number"]
                return number

            return await asyncio.gather(*(one(i) for i in range(300)))

    with ServerThread(create_app(Settings(database_url=database_url))) as server:
        numbers = asyncio.run(issue_all(server.url))

    assert len(set(numbers)) == 300
    assert sorted(n for n in numbers if n[0] == "F") == [f"F{i:03d}" for i in range(1, 151)]
    assert sorted(n for n in numbers if n[0] == "M") == [f"M{i:03d}" for i in range(1, 151)]
