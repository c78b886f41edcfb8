"""A client that stops reading does not delay delivery to the others (real server, real sockets)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from websockets.asyncio.client import connect

from skranke.displays.link import LiveOptions
from tests.conftest import run_async
from tests.site import Credentials, Site, served

CALLS = 8


async def follow(url: str, token: str, arrivals: dict[str, asyncio.Future[float]]) -> None:
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "call":
                arrival = arrivals.setdefault(message["number"], loop_future())
                arrival.set_result(time.monotonic())


def loop_future() -> asyncio.Future[float]:
    return asyncio.get_running_loop().create_future()


async def scenario(server: Site, creds: Credentials) -> list[float]:
    url = f"{server.ws_url}/ws/display/display-1"
    # Reads its snapshot, then nothing more: with max_queue=1 the client stops reading the
    # socket, and the server's buffers and this connection's queue fill up.
    stalled = await connect(url, max_queue=1, close_timeout=0.2)
    await stalled.send(json.dumps({"type": "hello", "token": creds.display_token}))
    arrivals: list[dict[str, asyncio.Future[float]]] = [{} for _ in range(3)]
    readers = [asyncio.create_task(follow(url, creds.display_token, a)) for a in arrivals]
    kiosk = {"Authorization": f"Bearer {creds.kiosk_token}"}
    staff = {"Authorization": f"Bearer {creds.staff_token}"}
    delays: list[float] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        await asyncio.sleep(0.3)
        for _ in range(CALLS):
            ticket = {"service": "laan"}
            await http.post("/api/v1/branches/hovedbiblioteket/tickets", json=ticket, headers=kiosk)
            started = time.monotonic()
            response = await http.post("/api/v1/counters/3/call-next", headers=staff)
            assert response.status_code == 200, response.text
            called = response.json()
            waits = [a.setdefault(called["number"], loop_future()) for a in arrivals]
            done = await asyncio.wait_for(asyncio.gather(*waits), 2)
            delays.append(max(done) - started)
            await http.post(f"/api/v1/tickets/{called['id']}/finish", headers=staff)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await stalled.close()
    return delays


def test_a_stalled_display_does_not_delay_the_others(sqlite_db: str) -> None:
    options = LiveOptions(queue_size=4, send_timeout_seconds=5)

    with served(sqlite_db, state={"live_options": options}) as site:
        delays = run_async(scenario(site, site.creds))

    assert len(delays) == CALLS
    assert max(delays) < 0.5, delays
