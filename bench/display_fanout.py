"""Call → display delivery with 1,000 display sockets on one server process (DESIGN §10).

Run: .venv/bin/python bench/display_fanout.py [--displays 1000] [--calls 30] [--no-deflate]
Prints one JSON object. Two servers run in turn as separate processes on loopback: skranke
(`python -m skranke serve`, SQLite, one process) and a bare `websockets` server that
broadcasts the same call message. The displays live in this process; like browsers they
offer permessage-deflate. Latency runs from just before the call is requested (skranke:
POST call-next over HTTP, which writes the database and goes through the hub; bare: one
control message) to the moment each display has the call. RSS is the server's, from
/proc/<pid>/status, with every display connected and after the calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop
from _http import Connection, post
from _servers import demo_credentials, free_port, start
from _ws_client import Display, frame, open_display

from skranke.demo import DemoCredentials
from skranke.migrate import upgrade

CONNECT_BATCH = 50
# The last display's delay for each call, in order: p99 over 30 calls is nearly the worst call,
# so a single slow one shows here.
LAST_OF_CALL: list[float] = []
DELIVERY_TIMEOUT = 10.0


def raise_open_files(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def rss_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    count = len(ordered)

    def pct(p: float) -> float:
        return round(ordered[min(count - 1, int(p * count))] * 1000, 2)

    return {"samples": count, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": pct(1.0)}


async def connect_all(
    port: int, path: str, hello: bytes, count: int, deflate: bool
) -> list[Display]:
    displays: list[Display] = []
    for start_at in range(0, count, CONNECT_BATCH):
        batch = min(CONNECT_BATCH, count - start_at)
        displays += await asyncio.gather(
            *(open_display(port, path, hello, deflate) for _ in range(batch))
        )
    return displays


async def measure(
    displays: list[Display], calls: int, trigger: Callable[[int], Awaitable[tuple[bytes, float]]]
) -> list[float]:
    """Fires `calls` calls; returns every display's delay for every call, in seconds.

    `trigger` makes call n and returns its number and when the call was requested.
    """
    delays: list[float] = []
    for n in range(calls):
        number, started = await trigger(n)
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while any(number not in d.arrivals for d in displays):
            if time.monotonic() > deadline:
                missing = sum(number not in d.arrivals for d in displays)
                raise RuntimeError(f"{missing} displays never got call {number!r}")
            await asyncio.sleep(0.002)
        mine = [d.arrivals.pop(number) - started for d in displays]
        LAST_OF_CALL.append(max(mine))
        delays += mine
        # Let the queue figures that follow a call go out before the next one.
        await asyncio.sleep(0.3)
    return delays


async def run_bare(port: int, count: int, calls: int, deflate: bool) -> list[float]:
    displays = await connect_all(port, "/", b"display", count, deflate)
    control = await open_display(port, "/", None, deflate=False)
    assert control.transport is not None
    control.transport.write(frame(b"control"))

    async def trigger(n: int) -> tuple[bytes, float]:
        number = f"L{n:03d}".encode()
        assert control.transport is not None
        started = time.perf_counter()
        control.transport.write(frame(number))
        return number, started

    try:
        return await measure(displays, calls, trigger)
    finally:
        for d in [*displays, control]:
            if d.transport is not None:
                d.transport.close()


async def run_skranke(
    port: int, creds: DemoCredentials, count: int, calls: int, deflate: bool, pid: int
) -> tuple[list[float], dict[str, float]]:
    hello = json.dumps({"type": "hello", "token": creds.display_token}).encode()
    displays = await connect_all(port, "/ws/display/display-1", hello, count, deflate)
    connected_rss = rss_mb(pid)
    http = Connection("127.0.0.1", port)
    last_called: list[int] = []
    kiosk = {"Authorization": f"Bearer {creds.kiosk_token}"}
    staff = {"Authorization": f"Bearer {creds.staff_token}"}
    issue = post("/api/v1/branches/hovedbiblioteket/tickets", {"service": "laan"}, kiosk)
    call = post("/api/v1/counters/3/call-next", None, staff)

    async def trigger(n: int) -> tuple[bytes, float]:
        await http.request(issue)
        for ticket in last_called:
            await http.request(post(f"/api/v1/tickets/{ticket}/finish", None, staff))
        # The call-next request is part of the delay being measured.
        started = time.perf_counter()
        status, body = await http.exchange(call)
        assert status == 200, body
        called = json.loads(body)
        last_called[:] = [called["id"]]
        return str(called["number"]).encode(), started

    try:
        return await measure(displays, calls, trigger), connected_rss
    finally:
        await http.close()
        for d in displays:
            if d.transport is not None:
                d.transport.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--displays", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--no-deflate", action="store_true", help="do not offer compression")
    parser.add_argument("--profile", help="write the skranke server's cProfile data here")
    args = parser.parse_args()
    deflate = not args.no_deflate
    raise_open_files(args.displays * 2 + 256)
    here = Path(__file__).parent
    work = Path(tempfile.mkdtemp(prefix="skranke-fanout-"))
    env = {**os.environ}

    bare_port = free_port()
    bare = start([sys.executable, str(here / "_bare_ws.py"), str(bare_port)], env, bare_port)
    try:
        bare_delays = uvloop.run(run_bare(bare_port, args.displays, args.calls, deflate))
        bare_last = [round(t * 1000, 1) for t in LAST_OF_CALL]
        LAST_OF_CALL.clear()
        bare_rss = rss_mb(bare.pid)
    finally:
        bare.terminate()
        bare.wait()

    url = f"sqlite:///{work / 'skranke.db'}"
    upgrade(url)
    creds = asyncio.run(demo_credentials(url))
    port = free_port()
    env["SKRANKE_DATABASE_URL"] = url
    profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
    serve = [sys.executable, *profile, "-m", "skranke", "serve", "--port", str(port)]
    server = start([*serve, "--log-level", "warning"], env, port)
    try:
        delays, connected_rss = uvloop.run(
            run_skranke(port, creds, args.displays, args.calls, deflate, server.pid)
        )
        after_rss = rss_mb(server.pid)
    finally:
        # SIGINT: uvicorn shuts down cleanly, so a profiler gets to write its data.
        server.send_signal(signal.SIGINT)
        server.wait()

    skranke, bare_figures = percentiles(delays), percentiles(bare_delays)
    report: dict[str, Any] = {
        "bench": "display_fanout",
        "database": "sqlite",
        "cpus": os.cpu_count(),
        "displays": args.displays,
        "calls": args.calls,
        "permessage_deflate_offered": deflate,
        "skranke": {
            **skranke,
            "rss_mb_connected": connected_rss,
            "rss_mb_after": after_rss,
            "last_display_ms_by_call": [round(t * 1000, 1) for t in LAST_OF_CALL],
        },
        "bare_websockets_broadcast": {
            **bare_figures,
            "rss_mb": bare_rss,
            "last_display_ms_by_call": bare_last,
        },
        "p99_ratio_to_bare": round(skranke["p99_ms"] / bare_figures["p99_ms"], 2),
        "targets": {"p99_ms": 100, "ratio_to_bare": 2, "rss_mb": 200},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
