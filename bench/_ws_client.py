"""A minimal websocket client protocol for a thousand displays in one process.

The `websockets` client costs tens of microseconds per received message, which with a
thousand sockets would measure this process instead of the server. This one parses frames,
inflates permessage-deflate like a browser does, and notes when each call arrived.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import time
import zlib
from typing import cast

NUMBER = re.compile(rb'"type":"call".*?"number":"([^"]+)"|"number":"([^"]+)".*?"type":"call"')


def frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A masked client frame (clients must mask)."""
    mask = os.urandom(4)
    size = len(payload)
    head = bytes([0x80 | opcode]) + (
        bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big")
    )
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + body


class Display(asyncio.Protocol):
    def __init__(self, host: str, path: str, hello: bytes | None, deflate: bool) -> None:
        self.host, self.path, self.hello, self.deflate = host, path, hello, deflate
        self.buffer = bytearray()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.upgraded = False
        self.inflater: zlib._Decompress | None = None
        self.arrivals: dict[bytes, float] = {}
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave like one.
        self.transport = cast(asyncio.Transport, transport)
        key = base64.b64encode(os.urandom(16)).decode()
        offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        self.transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\n{offer if self.deflate else ''}\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.upgraded = True
            head = bytes(self.buffer[:end]).lower()
            del self.buffer[: end + 4]
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.ready.set_exception(ConnectionError(head[:200].decode()))
                return
            self.inflater = zlib.decompressobj(-15) if b"permessage-deflate" in head else None
            if self.hello is not None and self.transport is not None:
                self.transport.write(frame(self.hello))
            if self.hello is None:
                self.ready.set_result(None)
        self._frames(now)

    def _frames(self, now: float) -> None:
        while len(self.buffer) >= 2:
            first, size = self.buffer[0], self.buffer[1] & 0x7F
            start = 2
            if size == 126:
                size, start = int.from_bytes(self.buffer[2:4], "big"), 4
            elif size == 127:
                size, start = int.from_bytes(self.buffer[2:10], "big"), 10
            if len(self.buffer) < start + size:
                return
            payload = bytes(self.buffer[start : start + size])
            del self.buffer[: start + size]
            opcode = first & 0x0F
            if opcode == 0x9 and self.transport is not None:
                self.transport.write(frame(payload, 0xA))
            elif opcode == 0x1:
                if first & 0x40 and self.inflater is not None:
                    payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
                self._message(payload, now)

    def _message(self, payload: bytes, now: float) -> None:
        if not self.ready.done():
            self.ready.set_result(None)
            return
        found = NUMBER.search(payload)
        if found:
            self.arrivals.setdefault(found.group(1) or found.group(2), now)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed"))


async def open_display(port: int, path: str, hello: bytes | None, deflate: bool = True) -> Display:
    loop = asyncio.get_running_loop()
    _, display = await loop.create_connection(
        lambda: Display(f"127.0.0.1:{port}", path, hello, deflate), "127.0.0.1", port
    )
    await asyncio.wait_for(display.ready, 30)
    return display
