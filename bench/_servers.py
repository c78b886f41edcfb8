"""Starting the servers a benchmark measures: free ports, subprocesses, demo data."""

from __future__ import annotations

import socket
import subprocess
import time
from datetime import UTC, datetime

from skranke.demo import DemoCredentials, load_demo
from skranke.store.engine import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Run `args` and wait until it accepts connections on `port` (at most 30 s)."""
    # Benchmarks run at any hour and queue thousands of tickets no branch could serve before
    # closing: the kiosk's opening hours (queue.opening) would refuse them.
    env = {"SKRANKE_KIOSK_HOURS": "off", **env}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "died") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server on port {port} did not start")


async def demo_credentials(url: str, printer_url: str | None = None) -> DemoCredentials:
    """Load the demo branch into the migrated database at `url`; return its fresh tokens."""
    db = Database(url)
    db.start()
    try:
        return await db.write(load_demo, datetime.now(UTC), printer_url)
    finally:
        await db.stop()
