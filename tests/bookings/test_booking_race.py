"""A hundred citizens take the last seat of a slot at once, through a real server."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx
import pytest

from bench import _http
from tests.bookings.conftest import TOWN_SETTINGS, setup_town
from tests.conftest import run_async
from tests.site import served

RACERS = 100


async def race(port: int, start: str) -> list[tuple[int, dict[str, object]]]:
    # Connect everyone first, so the requests really arrive together.
    conns = [_http.Connection("127.0.0.1", port) for _ in range(RACERS)]
    await asyncio.gather(
        *(c.exchange(b"GET /api/v1/branches HTTP/1.1\r\nHost: x\r\n\r\n") for c in conns)
    )

    async def one(n: int) -> tuple[int, dict[str, object]]:
        body = {
            "service": "pas",
            "start": start,
            "name": f"Borger {n}",
            "email": f"b{n}@example.dk",
        }
        status, raw = await conns[n].exchange(_http.post("/api/v1/bookings", body, {}))
        return status, json.loads(raw)

    try:
        return await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(RACERS))), 120)
    finally:
        await asyncio.gather(*(c.close() for c in conns))


@pytest.mark.slow
def test_only_one_of_a_hundred_gets_the_last_seat(database_url: str) -> None:
    public = "https://skranke.example"
    with served(database_url, setup_town, public_url=public, **TOWN_SETTINGS) as server:
        slots = httpx.get(f"{server.url}/api/v1/services/pas/slots").json()["slots"]
        start = slots[0]["start"]
        answers = run_async(race(server.port, start))
        after = httpx.get(f"{server.url}/api/v1/services/pas/slots").json()["slots"]

    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: 1, 409: RACERS - 1}
    refused = [body for status, body in answers if status == 409]
    assert {body["error"] for body in refused} == {"slot_taken"}
    assert all(body["nearest"] for body in refused)
    assert start not in [s["start"] for s in after]
