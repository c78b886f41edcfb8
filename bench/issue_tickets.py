"""Tickets per second and latency over HTTP, beside a bare Starlette + SQLite insert.

Run: .venv/bin/python bench/issue_tickets.py [--total 6000] [--concurrency 32]
Prints one JSON object. Both servers run as separate uvicorn processes on loopback with one
worker each; the load client is a third process's event loop (this one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

from _http import closed_loop, open_loop, post
from _servers import demo_credentials, free_port, start

from skranke.migrate import upgrade

# The kiosk mix: tickets for every drop-in errand of the demo branch in turn. (All in one
# service would build a queue of thousands, which no branch has; counting it then dominates.)
WALK_IN = ["mitid", "flytning", "sundhedskort", "laan", "digital", "print"]


def measure(port: int, raw: list[bytes], total: int, concurrency: int) -> dict[str, object]:
    async def run() -> dict[str, object]:
        await closed_loop("127.0.0.1", port, raw, 300, 8)  # warm up
        throughput = await closed_loop("127.0.0.1", port, raw, total, concurrency)
        paced = await open_loop("127.0.0.1", port, raw, rate=200, seconds=5)
        return {"throughput": throughput.summary(), "at_200_per_s": paced.summary()}

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    here = Path(__file__).parent
    work = Path(tempfile.mkdtemp(prefix="skranke-bench-"))
    env = {**os.environ, "BARE_DB": str(work / "bare.db")}
    uvicorn = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]

    bare_port = free_port()
    bare = start(
        [*uvicorn, "--app-dir", str(here), "_bare_app:app", "--port", str(bare_port)],
        env,
        bare_port,
    )
    try:
        bare_requests = [post("/tickets", {"service": s}, {}) for s in WALK_IN]
        bare_figures = measure(bare_port, bare_requests, args.total, args.concurrency)
    finally:
        bare.terminate()
        bare.wait()

    url = f"sqlite:///{work / 'skranke.db'}"
    upgrade(url)
    token = asyncio.run(demo_credentials(url)).kiosk_token
    port = free_port()
    env["SKRANKE_DATABASE_URL"] = url
    server = start(
        [sys.executable, "-m", "skranke", "serve", "--port", str(port), "--log-level", "warning"],
        env,
        port,
    )
    try:
        auth = {"Authorization": f"Bearer {token}"}
        path = "/api/v1/branches/hovedbiblioteket/tickets"
        requests = [post(path, {"service": s}, auth) for s in WALK_IN]
        figures = measure(port, requests, args.total, args.concurrency)
    finally:
        server.terminate()
        server.wait()

    ratio = figures["throughput"]["per_second"] / bare_figures["throughput"]["per_second"]  # type: ignore[index]
    print(
        json.dumps(
            {
                "bench": "issue_tickets",
                "database": "sqlite",
                "cpus": os.cpu_count(),
                "concurrency": args.concurrency,
                "services": WALK_IN,
                "skranke": figures,
                "bare_starlette_sqlite_insert": bare_figures,
                "throughput_ratio_to_bare": round(ratio, 3),
                "targets": {"per_second": 1000, "p99_ms_at_200_per_s": 25, "ratio_to_bare": 0.5},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
