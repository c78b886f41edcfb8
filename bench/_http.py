"""A small keep-alive HTTP/1.1 load client on raw asyncio streams.

httpx costs about a millisecond of CPU per request, which on two cores would measure the
client rather than the server; this one costs tens of microseconds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        count = len(lat)

        def pct(p: float) -> float:
            return round(lat[min(count - 1, int(p * count))], 2) if count else 0.0

        return {
            "requests": count,
            "per_second": round(count / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(lat), 2) if count else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        status, _ = await self.exchange(raw)
        return status

    async def exchange(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def post(path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(payload)}"]
    lines += ["Content-Type: application/json", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def closed_loop(
    host: str, port: int, raw: bytes | list[bytes], total: int, concurrency: int
) -> Result:
    """`concurrency` connections send back to back until `total` requests are answered.

    With a list of requests, they are sent in turn (e.g. tickets for different services).
    """
    result = Result()
    remaining = total
    requests = raw if isinstance(raw, list) else [raw]

    async def worker() -> None:
        nonlocal remaining
        conn = Connection(host, port)
        try:
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                status = await conn.request(requests[remaining % len(requests)])
                result.latencies_ms.append((time.perf_counter() - start) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            await conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - began
    return result


async def open_loop(
    host: str, port: int, raw: bytes | list[bytes], rate: float, seconds: float
) -> Result:
    """Requests start on a fixed schedule, like kiosks that do not wait for each other."""
    result = Result()
    requests = raw if isinstance(raw, list) else [raw]
    idle: list[Connection] = []
    total = int(rate * seconds)

    async def one(due: float, raw: bytes) -> None:
        conn = idle.pop() if idle else Connection(host, port)
        # Latency counts from when the request was due, so a stalled server cannot hide it.
        status = await conn.request(raw)
        result.latencies_ms.append((time.perf_counter() - due) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        idle.append(conn)

    began = time.perf_counter()
    tasks = []
    for i in range(total):
        due = began + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, requests[i % len(requests)])))
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - began
    for conn in idle:
        await conn.close()
    return result
