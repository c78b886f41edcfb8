"""Shared by the printer, kiosk and browser tests: an emulator thread and polling."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from skranke.printers.emulator import serve_emulator

T = TypeVar("T")


def wait_for(check: Callable[[], T], within: float = 5.0, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy; bounded, so a bug fails fast."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Expected {what} within {within} s, but it did not happen")
        time.sleep(0.02)


class EmulatorThread:
    """The ESC/POS printer emulator on loopback, served by its own thread and event loop."""

    def __init__(self, out_dir: Path, port: int = 0, *, paper_out: bool = False) -> None:
        self.out_dir = out_dir
        self.port = port
        self.paper_out = paper_out
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"network://127.0.0.1:{self.port}"

    def _run(self) -> None:
        try:
            server = self.loop.run_until_complete(
                serve_emulator("127.0.0.1", self.port, self.out_dir, paper_out=self.paper_out)
            )
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()
        server.close()
        self.loop.run_until_complete(server.wait_closed())
        self.loop.close()

    def __enter__(self) -> EmulatorThread:
        self._thread.start()
        self._ready.wait(5)
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def tickets(self) -> list[str]:
        """The texts of the tickets printed so far, in the order they were printed."""
        found = sorted(
            (int(m.group(1)), path)
            for path in self.out_dir.glob("ticket-*.txt")
            if (m := re.fullmatch(r"ticket-(\d+)\.txt", path.name))
        )
        return [path.read_text(encoding="utf-8") for _, path in found]

    def wait_for_tickets(self, count: int, within: float = 5.0) -> list[str]:
        def enough() -> list[str] | None:
            found = self.tickets()
            return found if len(found) >= count else None

        return wait_for(enough, within, f"{count} printed ticket(s) in {self.out_dir}")
