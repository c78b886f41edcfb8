from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

import pytest

from skranke.printers.connections import (
    DummyPrinter,
    Printer,
    PrinterError,
    printer_from_url,
    send_async,
)


def test_send_async_delivers_the_job() -> None:
    printer = DummyPrinter()

    asyncio.run(send_async(printer, b"K012\n", timeout=1))

    assert printer.printed == [b"K012\n"]


def test_send_async_passes_the_printer_error_on() -> None:
    printer = DummyPrinter(fail=PrinterError("paper out", permanent=False))

    with pytest.raises(PrinterError, match="paper out"):
        asyncio.run(send_async(printer, b"K012\n", timeout=1))


def test_send_async_times_out_on_a_printer_that_never_reads(silent_port: int) -> None:
    printer = printer_from_url(f"network://127.0.0.1:{silent_port}", timeout=0.5)
    # More than the kernel buffers on both ends hold, so the send has to wait for the reader.
    job = bytes(16 * 1024 * 1024)
    started = time.monotonic()

    with pytest.raises(PrinterError, match=r"did not take the job within 0\.2 s") as raised:
        asyncio.run(send_async(printer, job, timeout=0.2))

    assert raised.value.permanent is False
    assert time.monotonic() - started < 3


@dataclass
class SlowPrinter(Printer):
    url: str = "slow://"
    active: int = 0
    most_at_once: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)

    def send(self, data: bytes) -> None:
        with self.guard:
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
        time.sleep(0.05)
        with self.guard:
            self.active -= 1


def test_send_async_sends_one_job_at_a_time_per_printer() -> None:
    printer = SlowPrinter()

    async def send_three() -> None:
        await asyncio.gather(*(send_async(printer, b"K012\n", timeout=2) for _ in range(3)))

    asyncio.run(send_three())

    assert printer.most_at_once == 1


def test_send_async_reports_a_printer_still_busy_with_the_previous_job() -> None:
    printer = SlowPrinter()

    async def send_two() -> list[BaseException | None]:
        results = await asyncio.gather(
            send_async(printer, b"K012\n", timeout=1),
            send_async(printer, b"K013\n", timeout=0.01),
            return_exceptions=True,
        )
        return list(results)

    first, second = asyncio.run(send_two())

    assert first is None
    assert isinstance(second, PrinterError)
    assert "still busy" in second.message
