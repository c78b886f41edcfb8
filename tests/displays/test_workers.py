"""Two uvicorn workers on PostgreSQL: a call made through one reaches the other's sockets."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import free_port, run_async
from tests.site import Credentials, load

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PER_WORKER = 3


@pytest.fixture
def two_workers(postgres_db: str) -> Iterator[tuple[str, Credentials]]:
    creds = load(postgres_db)
    port = free_port()
    # Any hour: the demo kiosk's drop-in hours would refuse tickets at night.
    env = {**os.environ, "SKRANKE_DATABASE_URL": postgres_db, "SKRANKE_KIOSK_HOURS": "off"}
    command = [sys.executable, "-m", "skranke", "serve", "--workers", "2", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the server exited"
            try:
                if httpx.get(f"{base}/api/v1/branches", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield base, creds
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def open_displays(base: str, token: str) -> tuple[list[ClientConnection], set[int]]:
    """A few sockets on each worker (the OS hands connections to whichever process accepts
    first, and a worker still starting accepts none)."""
    url = base.replace("http://", "ws://") + "/ws/display/display-1"
    kept: dict[int, list[ClientConnection]] = {}
    deadline = time.monotonic() + 20
    while len(kept) < 2 or min(len(s) for s in kept.values()) < PER_WORKER:
        assert time.monotonic() < deadline, f"sockets reached only workers {sorted(kept)}"
        ws = await connect(url)
        await ws.send(json.dumps({"type": "hello", "token": token}))
        pid = json.loads(await asyncio.wait_for(ws.recv(), 5))["pid"]
        if len(kept.setdefault(pid, [])) < PER_WORKER:
            kept[pid].append(ws)
        else:
            await ws.close()
            await asyncio.sleep(0.02)
    return [ws for sockets in kept.values() for ws in sockets], set(kept)


async def next_call(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await ws.recv())
        if message["type"] == "call":
            return message


def test_a_call_through_one_worker_reaches_displays_on_both(
    two_workers: tuple[str, Credentials],
) -> None:
    base, creds = two_workers

    async def scenario() -> tuple[set[int], list[str], str]:
        sockets, pids = await open_displays(base, creds.display_token)
        kiosk = {"Authorization": f"Bearer {creds.kiosk_token}"}
        staff = {"Authorization": f"Bearer {creds.staff_token}"}
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            await http.post(
                "/api/v1/branches/hovedbiblioteket/tickets",
                json={"service": "mitid"},
                headers=kiosk,
            )
            called = (await http.post("/api/v1/counters/1/call-next", headers=staff)).json()
        calls = await asyncio.wait_for(asyncio.gather(*(next_call(ws) for ws in sockets)), 5)
        for ws in sockets:
            await ws.close()
        return pids, [c["number"] for c in calls], called["number"]

    pids, received, number = run_async(scenario())

    assert len(pids) == 2, "all sockets landed on one worker"
    assert received == [number] * len(received)
