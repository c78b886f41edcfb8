"""Press to printed: a kiosk's ticket request until its ticket's bytes reach the printer.

Run: .venv/bin/python bench/print_latency.py [--presses 200] [--pause-ms 20]
Prints one JSON object. The server runs as its own process (`python -m skranke serve`,
SQLite, one worker) with the demo kiosk's printer at a loopback ESC/POS printer in this
process, which decodes the stream with the emulator's decoder and timestamps each ticket's
cut (it does not draw PNGs, so the figure is the server's, not the emulator's). Presses are
sequential, like one kiosk: each waits for its response and its ticket. Figures: response
(what the kiosk waits for), printed (the cut arrived), and both per status of `print`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _http import Connection, post
from _servers import demo_credentials, free_port, start

from skranke.demo import BRANCH
from skranke.migrate import upgrade
from skranke.printers.emulator import EscPosDecoder


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "skranke", "serve", "--port", str(port), "--log-level", "warning"]
    return start(args, env, port)


class Printer:
    """Loopback ESC/POS printer: the emulator's decoder, a timestamp per cut."""

    def __init__(self) -> None:
        self.cuts: asyncio.Queue[float] = asyncio.Queue()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = EscPosDecoder()
        while data := await reader.read(65536):
            tickets, reply = decoder.feed(data)
            if reply:  # the spooler's status probe after each print
                writer.write(reply)
                await writer.drain()
            for ticket in tickets:
                if ticket.cut:
                    self.cuts.put_nowait(time.perf_counter())
        writer.close()


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2),
    }


async def press(
    port: int, raw: bytes, printer: Printer, presses: int, pause: float
) -> dict[str, object]:
    conn = Connection("127.0.0.1", port)
    response_ms: list[float] = []
    printed_ms: list[float] = []
    statuses: dict[int, int] = {}
    try:
        for _ in range(presses):
            started = time.perf_counter()
            status = await conn.request(raw)
            response_ms.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            cut = await asyncio.wait_for(printer.cuts.get(), timeout=15)
            printed_ms.append((cut - started) * 1000)
            await asyncio.sleep(pause)
    finally:
        await conn.close()
    return {
        "presses": presses,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "response": summary(response_ms),
        "printed": summary(printed_ms),
    }


async def run(
    port: int, raw: bytes, printer: Printer, args: argparse.Namespace
) -> dict[str, object]:
    await press(port, raw, printer, 20, 0)  # warm up: imports, caches, first connections
    return await press(port, raw, printer, args.presses, args.pause_ms / 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--pause-ms", type=float, default=20.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="skranke-print-bench-"))
    url = f"sqlite:///{work / 'skranke.db'}"

    async def bench() -> dict[str, object]:
        printer = Printer()
        listener = await asyncio.start_server(printer.handle, "127.0.0.1", 0)
        printer_port = listener.sockets[0].getsockname()[1]
        upgrade(url)
        token = (await demo_credentials(url, f"network://127.0.0.1:{printer_port}")).kiosk_token
        port = free_port()
        env = {**os.environ, "SKRANKE_DATABASE_URL": url}
        server = await asyncio.to_thread(start_server, env, port)
        try:
            raw = post(
                f"/api/v1/branches/{BRANCH}/tickets",
                {"service": "flytning"},
                {"Authorization": f"Bearer {token}"},
            )
            return await run(port, raw, printer, args)
        finally:
            server.terminate()
            server.wait()
            listener.close()

    figures = asyncio.run(bench())
    print(
        json.dumps(
            {
                "bench": "print_latency",
                "database": "sqlite",
                "printer": "loopback TCP (ESC/POS decoder)",
                "cpus": os.cpu_count(),
                **figures,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
