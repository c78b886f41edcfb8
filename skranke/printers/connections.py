"""Where ticket bytes go: one small `Printer` interface, built from a URL in the settings."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import _transports as transports
from ._interface import Printer, PrinterError, PrinterStatus
from ._transports import status_from_bytes

__all__ = [
    "AgentPrinter",
    "DummyPrinter",
    "Printer",
    "PrinterError",
    "PrinterStatus",
    "printer_from_url",
    "send_async",
    "status_from_bytes",
]

DEFAULT_TIMEOUT = 10.0
DEFAULT_NETWORK_PORT = 9100
URL_EXAMPLES = {
    "network": "network://host:9100",
    "usb": "usb://04b8:0202",
    "serial": "serial:///dev/ttyUSB0?baudrate=9600",
    "file": "file:///dev/usb/lp0",
    "cups": "cups://name",
    "agent": "agent://kiosk-id",
    "dummy": "dummy://",
}


@dataclass
class DummyPrinter(Printer):
    """In memory, for tests and demos. Set `fail` to make every send raise it."""

    url: str = "dummy://"
    printed: list[bytes] = field(default_factory=list)
    fail: PrinterError | None = None
    current_status: PrinterStatus = PrinterStatus.READY
    closed: bool = False

    def send(self, data: bytes) -> None:
        if self.fail is not None:
            # A fresh exception each time: re-raising one instance keeps growing its traceback.
            raise PrinterError(self.fail.message, permanent=self.fail.permanent)
        self.printed.append(bytes(data))

    def status(self) -> PrinterStatus:
        return self.current_status

    def close(self) -> None:
        self.closed = True


@dataclass(frozen=True)
class AgentPrinter(Printer):
    """A USB printer on a kiosk PC: jobs for it go to `skranke print-agent`, never sent here."""

    kiosk_id: str
    url: str

    def send(self, data: bytes) -> None:
        raise PrinterError(
            f"{self.url} is delivered via the print agent of kiosk {self.kiosk_id!r}, "
            "not sent directly",
            permanent=True,
        )


def _bad_url(url: str, scheme: str, problem: str) -> PrinterError:
    return PrinterError(
        f"Expected a printer URL like {URL_EXAMPLES[scheme]!r}, but got {url!r} ({problem})",
        permanent=True,
    )


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def printer_from_url(url: str, timeout: float = DEFAULT_TIMEOUT) -> Printer:
    """The printer a URL names; nothing is opened until the first send or status."""
    if timeout <= 0:
        raise PrinterError(f"Expected a timeout > 0 seconds, but got {timeout}", permanent=True)
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise PrinterError(
            f"Expected a printer URL, but got {url!r} ({exc})", permanent=True
        ) from None
    scheme = parts.scheme.lower()
    query = parse_qs(parts.query)

    if scheme == "network":
        try:
            port = parts.port or DEFAULT_NETWORK_PORT
        except ValueError:
            raise _bad_url(url, scheme, "the port is not a number from 1 to 65535") from None
        if not parts.hostname:
            raise _bad_url(url, scheme, "no host")
        return transports.NetworkPrinter(url, parts.hostname, port, timeout)

    if scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            vendor, product = (int(part, 16) for part in ids)
            endpoints = {
                name: int(value, 0)
                for name in ("in_ep", "out_ep")
                if (value := _single(query, name)) is not None
            }
        except ValueError:
            raise _bad_url(url, scheme, "vendor:product must be two hex numbers") from None
        return transports.UsbPrinter(url, vendor, product, timeout, **endpoints)

    if scheme == "serial":
        baudrate_text = _single(query, "baudrate") or "9600"
        if not baudrate_text.isdigit():
            raise _bad_url(url, scheme, f"baudrate {baudrate_text!r} is not a number")
        if parts.netloc or not parts.path:
            raise _bad_url(url, scheme, "expected three slashes and a device path")
        return transports.SerialPrinter(url, parts.path, int(baudrate_text), timeout)

    if scheme == "file":
        if parts.netloc or not parts.path:
            raise _bad_url(url, scheme, "expected three slashes and a device path")
        return transports.FilePrinter(url, parts.path)

    if scheme == "cups":
        if not parts.netloc or parts.path not in ("", "/"):
            raise _bad_url(url, scheme, "expected a CUPS queue name")
        return transports.CupsPrinter(url, parts.netloc, timeout)

    if scheme == "agent":
        if not parts.netloc or parts.path not in ("", "/"):
            raise _bad_url(url, scheme, "expected a kiosk id")
        return AgentPrinter(kiosk_id=parts.netloc, url=url)

    if scheme == "dummy":
        printer = DummyPrinter(url=url)
        fail = _single(query, "fail")
        if fail is not None:
            if fail not in ("passing", "permanent"):
                raise _bad_url(url, scheme, f"fail must be 'passing' or 'permanent', not {fail!r}")
            message = f"{url} fails on purpose"
            printer.fail = PrinterError(message, permanent=fail == "permanent")
        status = _single(query, "status")
        if status is not None:
            try:
                printer.current_status = PrinterStatus(status)
            except ValueError:
                known = ", ".join(s.value for s in PrinterStatus)
                raise _bad_url(url, scheme, f"status must be one of {known}") from None
        return printer

    expected = ", ".join(f"{name}://" for name in URL_EXAMPLES)
    raise PrinterError(
        f"Expected a printer URL starting with one of {expected}, but got {url!r}",
        permanent=True,
    )


# One lock per printer URL and event loop: asyncio locks belong to the loop they first wait on.
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _lock_for(printer: Printer) -> asyncio.Lock:
    per_loop = _locks.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault(printer.url, asyncio.Lock())


# One `timeout` argument rather than the caller's asyncio.timeout(): the budget covers waiting
# for the lock too, and the error must be a PrinterError the spooler records.
async def send_async(printer: Printer, data: bytes, timeout: float) -> None:  # noqa: ASYNC109
    """Send off the event loop, one job per printer at a time, within `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    lock = _lock_for(printer)
    try:
        await asyncio.wait_for(lock.acquire(), timeout)
    except TimeoutError:
        raise PrinterError(
            f"{printer.url} still busy with the previous job after {timeout} s"
        ) from None

    job = asyncio.ensure_future(asyncio.to_thread(printer.send, data))

    def finished(job: asyncio.Future[None]) -> None:
        # A thread cannot be stopped: the lock is held until it really ends, so the next job
        # never interleaves with bytes still being written.
        lock.release()
        if not job.cancelled():
            job.exception()  # seen here, so asyncio does not log it as never retrieved

    job.add_done_callback(finished)
    try:
        await asyncio.wait_for(asyncio.shield(job), max(0.0, deadline - loop.time()))
    except TimeoutError:
        raise PrinterError(f"{printer.url} did not take the job within {timeout} s") from None
