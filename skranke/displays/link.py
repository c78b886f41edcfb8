"""One websocket client: a bounded send queue, its own sender task, and a receive loop.

The hub only ever calls `offer`, which never waits: a slow or dead socket fills its own queue
and nobody else's. A full queue means the client fell so far behind that its backlog is
worthless; it is dropped and replaced by one fresh snapshot.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger(__name__)
Snapshot = Callable[[], Awaitable[dict[str, Any]]]
MAX_CLIENT_MESSAGE = 4096
# How a sender normally ends: the client left.
EXPECTED = (WebSocketDisconnect, OSError)


@dataclass(frozen=True)
class LiveOptions:
    # Messages a client may fall behind before its backlog is replaced by a snapshot.
    queue_size: int = 64
    # An idle socket gets a heartbeat this often, so a page notices a dead connection.
    heartbeat_seconds: float = 20.0
    # A send that takes longer than this means the client is gone: close it.
    send_timeout_seconds: float = 10.0
    # Queue figures are recomputed at most this often per branch, however many events arrive.
    refresh_delay_seconds: float = 0.2
    # A display must present its token within this time after connecting.
    hello_timeout_seconds: float = 5.0


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=str)


class _Signal:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


# Queued instead of a message: send a fresh snapshot / a heartbeat.
RESYNC = _Signal("RESYNC")
HEARTBEAT = _Signal("HEARTBEAT")


class Link:
    """A connected page. `seq` counts the messages of this connection (see docs/live.md)."""

    def __init__(
        self,
        websocket: WebSocket,
        snapshot: Snapshot,
        options: LiveOptions,
        *,
        kind: str,
        branch_id: int,
        area: str | None = None,
        counter_id: int | None = None,
        tracking: str | None = None,
    ) -> None:
        self.websocket, self.snapshot, self.options = websocket, snapshot, options
        self.kind, self.branch_id, self.area = kind, branch_id, area
        self.counter_id, self.tracking = counter_id, tracking
        self.queue: asyncio.Queue[str | _Signal] = asyncio.Queue(options.queue_size)
        self.seq = 0
        self.dropped = 0
        # Watched by the hub (see `tick`): timers per message would cost more than the sends.
        self.last_sent = 0.0
        self.sending_since: float | None = None
        self._sender: asyncio.Task[None] | None = None
        # The last ticket state sent to a phone page, so unchanged states are not resent;
        # only a waiting ticket's place moves when others are called.
        self.last_body: str | None = None
        self.waiting = False

    def offer(self, body: str) -> None:
        """Queue `body`, a JSON object without "seq"; never waits."""
        try:
            self.queue.put_nowait(body)
        except asyncio.QueueFull:
            self.dropped += 1
            self._drain()
            self.queue.put_nowait(RESYNC)

    def resync(self) -> None:
        self._drain()
        self.queue.put_nowait(RESYNC)

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    def tick(self, now: float) -> None:
        """Called about once a second: a heartbeat when idle, the end when a send hangs."""
        if self.sending_since is not None:
            if now - self.sending_since > self.options.send_timeout_seconds and self._sender:
                # The client stopped reading long ago; its connection is of no use to it.
                self._sender.cancel()
        elif now - self.last_sent >= self.options.heartbeat_seconds and self.queue.empty():
            self.queue.put_nowait(HEARTBEAT)

    async def run(self) -> None:
        """Serve until the client leaves or stops keeping up; always cleans up its task."""
        self._sender = sender = asyncio.create_task(self._send_loop())
        receiver = asyncio.create_task(self._receive_loop())
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, receiver):
                task.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)
            problem = None if sender.cancelled() else sender.exception()
            if problem is not None and not isinstance(problem, EXPECTED):
                log.warning("Sender of a %s socket failed", self.kind, exc_info=problem)

    async def _send_loop(self) -> None:
        await self._send_snapshot()
        while True:
            item = await self.queue.get()
            if item is RESYNC:
                await self._send_snapshot()
            elif item is HEARTBEAT:
                # Carries the current seq: a page that missed the last message notices.
                await self._send(f'{{"type":"heartbeat","seq":{self.seq}}}')
            elif isinstance(item, str):
                self.seq += 1
                # Spliced, not re-serialised: the body was encoded once for every client.
                await self._send(f'{{"seq":{self.seq},{item[1:]}')

    async def _send_snapshot(self) -> None:
        state = await self.snapshot()
        self.seq += 1
        message = {"type": "snapshot", "seq": self.seq, **state}
        message["heartbeat_seconds"] = self.options.heartbeat_seconds
        await self._send(dumps(message))

    async def _send(self, text: str) -> None:
        loop = asyncio.get_running_loop()
        self.sending_since = loop.time()
        await self.websocket.send_text(text)
        self.sending_since, self.last_sent = None, loop.time()

    async def _receive_loop(self) -> None:
        while True:
            message = await receive_json(self.websocket, None)
            if message is None:
                return
            if message.get("type") == "resync":
                self.resync()


async def receive_json(websocket: WebSocket, within: float | None) -> dict[str, Any] | None:
    """The client's next JSON object; {} for anything else; None when it left or kept silent."""
    try:
        async with asyncio.timeout(within):
            message = await websocket.receive()
    except TimeoutError:
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    # Pages send a few short commands; anything long or odd is ignored, not parsed.
    if not text or len(text) > MAX_CLIENT_MESSAGE:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
