"""A connection's own queue and sender: a stalled client fills only its own queue."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from skranke.displays.link import RESYNC, Link, LiveOptions, dumps
from tests.conftest import run_async


class FakeSocket:
    """Records what is sent; a stalled one never finishes a send (a client that stopped reading)."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.arrived: list[float] = []
        self.unstalled = asyncio.Event()
        if not stalled:
            self.unstalled.set()
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send_text(self, text: str) -> None:
        await self.unstalled.wait()
        self.sent.append(json.loads(text))
        self.arrived.append(time.monotonic())

    async def receive(self) -> dict[str, Any]:
        return await self.inbox.get()


def link_for(socket: FakeSocket, options: LiveOptions) -> Link:
    snapshots = iter(range(1, 1000))

    async def snapshot() -> dict[str, Any]:
        return {"number": next(snapshots)}

    return Link(socket, snapshot, options, kind="display", branch_id=1)  # type: ignore[arg-type]


async def settle(condition: Any, within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


def test_a_stalled_client_does_not_delay_the_others_and_is_resynced_later() -> None:
    options = LiveOptions(queue_size=4, heartbeat_seconds=60, send_timeout_seconds=60)

    async def scenario() -> tuple[list[FakeSocket], FakeSocket, Link, float]:
        healthy = [FakeSocket() for _ in range(3)]
        stalled = FakeSocket(stalled=True)
        links = [link_for(s, options) for s in [*healthy, stalled]]
        tasks = [asyncio.create_task(link.run()) for link in links]
        await settle(lambda: all(s.sent for s in healthy))
        started = time.monotonic()
        for n in range(20):
            body = dumps({"type": "call", "n": n})
            for link in links:
                link.offer(body)
            await asyncio.sleep(0)
        await settle(lambda: all(len(s.sent) == 21 for s in healthy))
        slowest = max(s.arrived[-1] for s in healthy) - started
        stalled.unstalled.set()
        await settle(lambda: len(stalled.sent) >= 2)
        await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return healthy, stalled, links[-1], slowest

    healthy, stalled, stalled_link, slowest = run_async(scenario())

    assert slowest < 0.5
    for socket in healthy:
        assert [m["seq"] for m in socket.sent] == list(range(1, 22))
        assert [m.get("n") for m in socket.sent[1:]] == list(range(20))
    assert stalled_link.dropped > 0
    # Its backlog was thrown away: after the first snapshot comes a fresh one, then only
    # what arrived after the last overflow.
    kinds = [m["type"] for m in stalled.sent]
    assert kinds[:2] == ["snapshot", "snapshot"] and len(stalled.sent) <= 2 + options.queue_size


def test_a_full_queue_keeps_one_resync_instead_of_the_backlog() -> None:
    link = link_for(FakeSocket(), LiveOptions(queue_size=3))

    for n in range(5):
        link.offer(dumps({"type": "call", "n": n}))

    backlog = [link.queue.get_nowait() for _ in range(link.queue.qsize())]
    assert backlog[0] is RESYNC and len(backlog) <= 3 and link.dropped == 1


def test_an_idle_link_sends_a_heartbeat_with_the_current_seq() -> None:
    async def scenario() -> list[dict[str, Any]]:
        socket = FakeSocket()
        link = link_for(socket, LiveOptions(heartbeat_seconds=0.05))
        task = asyncio.create_task(link.run())
        loop = asyncio.get_running_loop()
        await settle(lambda: bool(socket.sent))
        for _ in range(2):
            await asyncio.sleep(0.06)
            link.tick(loop.time())
        await settle(lambda: len(socket.sent) >= 3)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return socket.sent

    sent = run_async(scenario())

    assert sent[0]["type"] == "snapshot"
    assert sent[1] == {"type": "heartbeat", "seq": sent[0]["seq"]}


def test_a_send_that_hangs_past_the_timeout_ends_the_link() -> None:
    async def scenario() -> bool:
        link = link_for(FakeSocket(stalled=True), LiveOptions(send_timeout_seconds=0.05))
        task = asyncio.create_task(link.run())
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0.1)
        link.tick(loop.time())
        await asyncio.wait_for(task, 1)
        return task.done()

    assert run_async(scenario())


def test_a_client_that_leaves_ends_the_link_and_its_sender() -> None:
    async def scenario() -> bool:
        socket = FakeSocket()
        link = link_for(socket, LiveOptions())
        task = asyncio.create_task(link.run())
        await settle(lambda: bool(socket.sent))
        socket.inbox.put_nowait({"type": "websocket.disconnect", "code": 1001})
        await asyncio.wait_for(task, 1)
        return task.done()

    assert run_async(scenario())
