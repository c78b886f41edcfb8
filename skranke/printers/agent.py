"""`skranke print-agent`: drives a printer on the kiosk PC for the server's `agent://` jobs.

Connects to `/ws/agent/{device}` with the kiosk's token, prints each job it is sent, and
acknowledges it, reporting the printer's status where the printer can tell. Reconnects with
backoff and jitter; the server keeps jobs made meanwhile and sends them on reconnect.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import contextlib
import json
import logging
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .connections import Printer, PrinterError, PrinterStatus, printer_from_url, send_async

log = logging.getLogger(__name__)
# Job ids already printed: a job whose acknowledgement was lost is sent again after a
# reconnect, and must not come out twice.
REMEMBERED_JOBS = 200


@dataclass(frozen=True)
class AgentOptions:
    timeout: float = 10.0
    probe_timeout: float = 2.0
    backoff_initial: float = 1.0
    backoff_max: float = 30.0


def agent_url(server: str, device: str) -> str:
    """`https://host/prefix` → `wss://host/prefix/ws/agent/<device>`."""
    parts = urlsplit(server.strip())
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ValueError(
            f"Expected a server URL like https://skranke.example.dk, but got {server!r}"
        )
    path = f"{parts.path.rstrip('/')}/ws/agent/{quote(device, safe='')}"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


class PrintAgent:
    def __init__(
        self, url: str, token: str, printer: Printer, options: AgentOptions | None = None
    ) -> None:
        self.url = url
        self.token = token
        self.printer = printer
        self.options = options or AgentOptions()
        self.printed_ids: collections.deque[int] = collections.deque(maxlen=REMEMBERED_JOBS)
        self.connected = asyncio.Event()
        # Printers that never answer a status request would delay every ack: ask them once.
        self.answers_status: bool | None = None

    async def run(self) -> None:
        """Serve until cancelled, reconnecting after every failure."""
        delay = self.options.backoff_initial
        while True:
            try:
                async with connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    open_timeout=self.options.timeout,
                ) as websocket:
                    log.info("Connected to %s", self.url)
                    delay = self.options.backoff_initial
                    await self._serve(websocket)
            except InvalidStatus as exc:
                body = exc.response.body.decode(errors="replace") if exc.response.body else ""
                log.error("Server refused the agent (%s): %s", exc.response.status_code, body)
                # A wrong token stays wrong until someone fixes it: ask rarely.
                delay = self.options.backoff_max
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake) as exc:
                log.warning("Connection to %s lost or refused: %s", self.url, exc)
            finally:
                self.connected.clear()
            # Jitter: kiosks restarted together by a power cut should not reconnect in step.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, self.options.backoff_max)

    async def _serve(self, websocket: ClientConnection) -> None:
        self.connected.set()
        async for message in websocket:
            job = _job(message)
            if job is None:
                log.warning("Ignored a message that is no print job")
                continue
            job_id, data = job
            ack = await self._print(job_id, data)
            await websocket.send(json.dumps(ack))

    async def _print(self, job_id: int, data: bytes) -> dict[str, Any]:
        if job_id in self.printed_ids:
            return {"type": "ack", "id": job_id, "ok": True}
        try:
            await send_async(self.printer, data, self.options.timeout)
        except PrinterError as exc:
            log.warning("Job %s not printed: %s", job_id, exc.message)
            return {
                "type": "ack",
                "id": job_id,
                "ok": False,
                "error": exc.message,
                "permanent": exc.permanent,
                "status": (await self._status()).value,
            }
        self.printed_ids.append(job_id)
        log.info("Printed job %s (%d bytes)", job_id, len(data))
        return {"type": "ack", "id": job_id, "ok": True, "status": (await self._status()).value}

    async def _status(self) -> PrinterStatus:
        if self.answers_status is False:
            return PrinterStatus.UNKNOWN
        try:
            async with asyncio.timeout(self.options.probe_timeout):
                status = await asyncio.to_thread(self.printer.status)
        except (TimeoutError, PrinterError, OSError):
            status = PrinterStatus.UNKNOWN
        if self.answers_status is None and status is not PrinterStatus.UNREACHABLE:
            self.answers_status = status is not PrinterStatus.UNKNOWN
        return status


def _job(message: str | bytes) -> tuple[int, bytes] | None:
    with contextlib.suppress(ValueError, binascii.Error):
        parsed = json.loads(message)
        if isinstance(parsed, dict) and parsed.get("type") == "job":
            job_id, data = parsed.get("id"), parsed.get("data")
            if isinstance(job_id, int) and isinstance(data, str):
                return job_id, base64.b64decode(data, validate=True)
    return None


def serve_agent(server: str, device: str, token: str, printer_url: str, timeout: float) -> None:
    """What `skranke print-agent` runs: until interrupted, logging to stderr."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        printer = printer_from_url(printer_url, timeout)
    except PrinterError as exc:
        raise ValueError(exc.message) from None
    agent = PrintAgent(agent_url(server, device), token, printer, AgentOptions(timeout=timeout))
    log.info("Print agent for kiosk %r: %s -> %s", device, agent.url, printer_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(agent.run())
