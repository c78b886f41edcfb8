"""Tickets per second and latency over HTTP, beside a bare Starlette + SQLite insert.

Run: .venv/bin/python bench/issue_tickets.py [--total 6000] [--rounds 5] [--concurrency 32]
Prints one JSON object. Both servers run as separate uvicorn processes on loopback with one
worker each; the load client is a third process's event loop (this one). Throughput rounds
alternate between the two servers; the figures are each server's median round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _http import closed_loop, open_loop, post
from _servers import demo_credentials, free_port, start

from skranke.migrate import upgrade
from skranke.queue.housekeeping import close_day
from skranke.store.engine import Database

# The kiosk mix: tickets for every drop-in errand of the demo branch in turn. (All in one
# service would build a queue of thousands, which no branch has; counting it then dominates.)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
WALK_IN = ["mitid", "flytning", "sundhedskort", "laan", "digital", "print"]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(
    server: subprocess.Popen[bytes], port: int, raw: list[bytes], total: int, concurrency: int
) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        return (await closed_loop("127.0.0.1", port, raw, total, concurrency)).summary()

    before = cpu_seconds(server.pid)
    figures = asyncio.run(run())
    after = cpu_seconds(server.pid)
    if before is not None and after is not None:
        # Near 1 / (requests per second): the server is bound by one core (the GIL).
        figures["server_cpu_us_per_request"] = round((after - before) / total * 1e6)
    return figures


def paced(port: int, raw: list[bytes]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        return (await open_loop("127.0.0.1", port, raw, rate=200, seconds=5)).summary()

    return asyncio.run(run())


async def close_queues(url: str) -> None:
    """End the day: the tickets left waiting are closed, so each round starts at an empty queue.

    Without this the queues would grow by thousands per round, far past any real branch's, and
    counting the people ahead of a new ticket would be measured instead of issuing it.
    """
    db = Database(url)
    db.start()
    try:
        midnight = datetime.now(COPENHAGEN).replace(hour=23, minute=59)
        await db.write(close_day, midnight.astimezone(UTC))
    finally:
        await db.stop()


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(rounds, key=lambda r: r["per_second"])[len(rounds) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=6000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--pin", type=int, default=None, help="run both servers on this one CPU (taskset)"
    )
    args = parser.parse_args()
    here = Path(__file__).parent
    work = Path(tempfile.mkdtemp(prefix="skranke-bench-"))
    env = {**os.environ, "BARE_DB": str(work / "bare.db")}
    uvicorn = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]
    url = f"sqlite:///{work / 'skranke.db'}"
    upgrade(url)
    token = asyncio.run(demo_credentials(url)).kiosk_token
    env["SKRANKE_DATABASE_URL"] = url

    bare_port, port = free_port(), free_port()
    bare_app = [*uvicorn, "--app-dir", str(here), "_bare_app:app", "--port", str(bare_port)]
    skranke = [sys.executable, "-m", "skranke", "serve", "--port", str(port)]
    skranke += ["--log-level", "warning"]
    if args.pin is not None:
        pinned = ["taskset", "-c", str(args.pin)]
        bare_app, skranke = pinned + bare_app, pinned + skranke
    servers = [start(bare_app, env, bare_port), start(skranke, env, port)]
    try:
        bare_requests = [post("/tickets", {"service": s}, {}) for s in WALK_IN]
        auth = {"Authorization": f"Bearer {token}"}
        path = "/api/v1/branches/hovedbiblioteket/tickets"
        requests = [post(path, {"service": s}, auth) for s in WALK_IN]
        bare, server = servers
        for process, target, raw in ((bare, bare_port, bare_requests), (server, port, requests)):
            throughput(process, target, raw, 300, 8)  # warm up
        # Rounds alternate between the two servers (both are idle while the other is
        # measured), so a slow minute on a shared machine weighs on both alike.
        bare_rounds, rounds = [], []
        for _ in range(args.rounds):
            asyncio.run(close_queues(url))
            bare_rounds.append(
                throughput(bare, bare_port, bare_requests, args.total, args.concurrency)
            )
            rounds.append(throughput(server, port, requests, args.total, args.concurrency))
        figures = {"throughput": median_round(rounds), "at_200_per_s": paced(port, requests)}
        bare_figures = {
            "throughput": median_round(bare_rounds),
            "at_200_per_s": paced(bare_port, bare_requests),
        }
    finally:
        for server in servers:
            server.terminate()
            server.wait()

    ratios = [r["per_second"] / b["per_second"] for r, b in zip(rounds, bare_rounds, strict=True)]
    print(
        json.dumps(
            {
                "bench": "issue_tickets",
                "database": "sqlite",
                "cpus": os.cpu_count(),
                "concurrency": args.concurrency,
                "pinned_to_cpu": args.pin,
                "services": WALK_IN,
                "skranke": figures,
                "bare_starlette_sqlite_insert": bare_figures,
                "per_second_by_round": {
                    "skranke": [r["per_second"] for r in rounds],
                    "bare": [b["per_second"] for b in bare_rounds],
                },
                "throughput_ratio_to_bare": round(
                    figures["throughput"]["per_second"] / bare_figures["throughput"]["per_second"],
                    3,
                ),
                "ratio_by_round": [round(r, 3) for r in ratios],
                "targets": {"per_second": 1000, "p99_ms_at_200_per_s": 25, "ratio_to_bare": 0.5},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
