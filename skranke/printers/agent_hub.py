"""The server's side of `agent://` printers: connected print agents and the jobs they owe us.

Transport-free: the websocket endpoint (`skranke.web.agent_ws`) hands each connection's send
function in and each received message over, so this is testable without a socket.

Protocol, JSON text frames:
  server → agent  {"type": "job", "id": 7, "data": "<base64 ESC/POS bytes>"}
  agent → server  {"type": "ack", "id": 7, "ok": true, "status": "ready"}
                  {"type": "ack", "id": 7, "ok": false, "error": "...", "permanent": false}
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ._interface import PrinterError, PrinterStatus

log = logging.getLogger(__name__)
Send = Callable[[str], Awaitable[None]]


class AgentLink:
    """One connected agent; `pending` maps job ids to the acknowledgement awaited."""

    def __init__(self, key: str, send: Send) -> None:
        self.key = key
        self.send = send
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}

    def fail_pending(self, reason: str) -> None:
        for future in self.pending.values():
            if not future.done():
                future.set_exception(PrinterError(reason))
        self.pending.clear()


class AgentHub:
    def __init__(self) -> None:
        self._links: dict[str, AgentLink] = {}
        # Called with the kiosk key when an agent connects: its waiting jobs can go now.
        self.on_connect: Callable[[str], None] | None = None

    def connected(self, key: str) -> bool:
        return key in self._links

    def connect(self, key: str, send: Send) -> AgentLink:
        old = self._links.get(key)
        if old is not None:
            # A restarted agent often reconnects before the server notices the old socket died.
            old.fail_pending(f"print agent of {key!r} reconnected")
        link = self._links[key] = AgentLink(key, send)
        log.info("Print agent of %r connected", key)
        if self.on_connect is not None:
            self.on_connect(key)
        return link

    def disconnect(self, link: AgentLink) -> None:
        if self._links.get(link.key) is link:
            del self._links[link.key]
            log.info("Print agent of %r disconnected", link.key)
        link.fail_pending(f"print agent of {link.key!r} went away before acknowledging")

    def receive(self, link: AgentLink, message: dict[str, Any]) -> None:
        if message.get("type") != "ack":
            return
        job_id = message.get("id")
        future = link.pending.pop(job_id, None) if isinstance(job_id, int) else None
        if future is not None and not future.done():
            future.set_result(message)

    async def deliver(self, key: str, job_id: int, data: bytes, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        """Send one job and wait for its acknowledgement; PrinterError if it did not print."""
        link = self._links.get(key)
        if link is None:
            raise PrinterError(f"print agent of kiosk {key!r} is not connected")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        link.pending[job_id] = future
        message = {"type": "job", "id": job_id, "data": base64.b64encode(data).decode("ascii")}
        try:
            async with asyncio.timeout(timeout):
                await link.send(json.dumps(message))
                ack = await future
        except TimeoutError:
            raise PrinterError(
                f"print agent of kiosk {key!r} did not acknowledge within {timeout} s"
            ) from None
        except (OSError, RuntimeError) as exc:
            # Starlette raises RuntimeError/WebSocketDisconnect (an OSError-free class) on
            # a closed socket; either way the job did not reach the agent.
            raise PrinterError(f"print agent of kiosk {key!r}: send failed ({exc})") from None
        finally:
            link.pending.pop(job_id, None)
        if ack.get("ok") is True:
            return ack
        error = ack.get("error")
        status = ack.get("status")
        raise PrinterError(
            f"print agent of kiosk {key!r}: {error if isinstance(error, str) else 'failed'}",
            permanent=ack.get("permanent") is True,
            status=next((s for s in PrinterStatus if s.value == status), None),
        )
