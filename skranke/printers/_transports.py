"""The real connections behind `printer_from_url`: TCP, USB, serial, device file, CUPS."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.exceptions import DeviceNotFoundError

from ._interface import Printer, PrinterError, PrinterStatus


def status_from_bytes(online: int, paper: int | None) -> PrinterStatus:
    """Reads answers to DLE EOT 1 (printer) and DLE EOT 4 (paper roll sensor)."""
    if paper is not None and paper & 0x60:
        return PrinterStatus.PAPER_OUT
    if online & 0x08:
        return PrinterStatus.OFFLINE
    if paper is not None and paper & 0x0C:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.READY


def _is_status_byte(answer: bytes) -> bool:
    # Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear; anything else is an
    # echo or noise from a device that does not speak the command.
    return len(answer) == 1 and answer[0] & 0x93 == 0x12


@dataclass
class NetworkPrinter(Printer):
    """Raw TCP (port 9100, "JetDirect"), which nearly every Ethernet receipt printer speaks.

    A plain socket rather than escpos' `Network`: the job is already bytes (built on `Dummy`),
    and `Network` folds refused, timed out and unresolvable into one DeviceNotFoundError where
    we must tell a wrong host name (permanent) from a switched-off printer (passing).
    """

    url: str
    host: str
    port: int
    timeout: float

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except socket.gaierror as exc:
            raise PrinterError(
                f"{self.url}: cannot resolve host {self.host!r} ({exc.strerror})",
                permanent=exc.errno == socket.EAI_NONAME,
            ) from None
        except TimeoutError:
            raise PrinterError(f"{self.url}: no answer within {self.timeout} s") from None
        except OSError as exc:
            raise PrinterError(f"{self.url}: {exc.strerror or exc} (printer off?)") from None

    def send(self, data: bytes) -> None:
        # A connection per job: many printers serve one TCP client at a time, and a held
        # connection would lock out the status probe and the vendor's own tools.
        with self._connect() as sock:
            try:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
            except TimeoutError:
                raise PrinterError(
                    f"{self.url}: stopped taking data for {self.timeout} s"
                ) from None
            except OSError as exc:
                raise PrinterError(f"{self.url}: connection lost ({exc.strerror or exc})") from None

    def status(self) -> PrinterStatus:
        deadline = time.monotonic() + self.timeout
        try:
            sock = self._connect()
        except PrinterError:
            return PrinterStatus.UNREACHABLE
        with sock:

            def ask(command: bytes) -> int | None:
                try:
                    sock.settimeout(max(0.001, deadline - time.monotonic()))
                    sock.sendall(command)
                    answer = sock.recv(1)
                except OSError:  # includes the timeout of a printer that keeps quiet
                    return None
                return answer[0] if _is_status_byte(answer) else None

            online = ask(RT_STATUS_ONLINE)
            if online is None:
                return PrinterStatus.UNKNOWN
            return status_from_bytes(online, ask(RT_STATUS_PAPER))


def _require(module: str, package: str, url: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise PrinterError(
            f"{url} needs the Python package {package!r}, which is not installed",
            permanent=True,
        )


def _send_with_escpos(url: str, open_device: Callable[[], Any], data: bytes) -> None:
    try:
        device = open_device()
    except DeviceNotFoundError as exc:
        # Wrong ids and an unplugged cable look the same from here; retrying covers both.
        raise PrinterError(f"{url}: {exc}".replace("\n", " ")) from None
    try:
        # The job is already ESC/POS bytes; `_raw` is the library's own write for this device.
        device._raw(data)
    except OSError as exc:  # USBError and SerialException are OSErrors
        raise PrinterError(f"{url}: write failed ({exc})") from None
    finally:
        device.close()


def _status_with_escpos(open_device: Callable[[], Any]) -> PrinterStatus:
    # Not escpos' paper_status(): it reports "plenty" when the printer does not answer.
    try:
        device = open_device()
    except (DeviceNotFoundError, PrinterError):
        return PrinterStatus.UNREACHABLE
    try:
        online = device.query_status(RT_STATUS_ONLINE)
        if not _is_status_byte(online[:1]):
            return PrinterStatus.UNKNOWN
        paper = device.query_status(RT_STATUS_PAPER)
        return status_from_bytes(online[0], paper[0] if _is_status_byte(paper[:1]) else None)
    except OSError:
        return PrinterStatus.UNKNOWN
    finally:
        device.close()


class _EscposPrinter(Printer):
    """A printer python-escpos opens (USB, serial): printing and status through the library."""

    url: str

    def _open(self) -> Any:
        raise NotImplementedError

    def send(self, data: bytes) -> None:
        _send_with_escpos(self.url, self._open, data)

    def status(self) -> PrinterStatus:
        return _status_with_escpos(self._open)


@dataclass
class UsbPrinter(_EscposPrinter):
    url: str
    vendor_id: int
    product_id: int
    timeout: float
    in_ep: int = 0x82
    out_ep: int = 0x01

    def _open(self) -> Any:
        _require("usb", "pyusb", self.url)
        from escpos.printer import Usb

        device = Usb(
            self.vendor_id,
            self.product_id,
            timeout=int(self.timeout * 1000),  # pyusb counts milliseconds
            in_ep=self.in_ep,
            out_ep=self.out_ep,
        )
        device.open()
        return device


@dataclass
class SerialPrinter(_EscposPrinter):
    url: str
    device_path: str
    baudrate: int
    timeout: float

    def _open(self) -> Any:
        _require("serial", "pyserial", self.url)
        from escpos.printer import Serial

        device = Serial(devfile=self.device_path, baudrate=self.baudrate, timeout=self.timeout)
        device.open()
        # escpos sets only the read timeout; with hardware flow control a printer that is
        # off would otherwise block the write forever.
        device.device.write_timeout = self.timeout
        return device


@dataclass
class FilePrinter(Printer):
    """A device node such as /dev/usb/lp0 (the kernel's usblp driver), or a plain file."""

    url: str
    path: str

    def send(self, data: bytes) -> None:
        try:
            with open(self.path, "wb") as device:
                device.write(data)
        except FileNotFoundError:
            # usblp removes the node when the printer is unplugged or switched off.
            raise PrinterError(f"{self.url}: {self.path} is not there (printer off?)") from None
        except (PermissionError, IsADirectoryError) as exc:
            raise PrinterError(
                f"{self.url}: {exc.strerror} ({self.path})", permanent=True
            ) from None
        except OSError as exc:
            raise PrinterError(f"{self.url}: write failed ({exc.strerror or exc})") from None


@dataclass
class CupsPrinter(Printer):
    """A CUPS queue, fed raw through the `lp` command.

    `lp` rather than escpos' CupsPrinter: that needs pycups, a C extension built against
    libcups headers, while `lp` comes with every CUPS install (Debian: cups-client).
    """

    url: str
    name: str
    timeout: float

    def _run(self, command: list[str], data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                command, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError:
            raise PrinterError(
                f"{self.url} needs the {command[0]!r} command (Debian package cups-client)",
                permanent=True,
            ) from None
        except subprocess.TimeoutExpired:
            raise PrinterError(f"{self.url}: {command[0]} took over {self.timeout} s") from None

    def send(self, data: bytes) -> None:
        result = self._run(["lp", "-d", self.name, "-o", "raw"], data)
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip()
            raise PrinterError(
                f"{self.url}: lp failed: {message}",
                permanent="does not exist" in message or "nknown destination" in message,
            )

    def status(self) -> PrinterStatus:
        try:
            result = self._run(["lpstat", "-p", self.name])
        except PrinterError:
            return PrinterStatus.UNKNOWN
        if result.returncode != 0:
            return PrinterStatus.UNKNOWN
        # CUPS disables a queue whose backend failed, e.g. after the printer went away.
        return PrinterStatus.OFFLINE if b"disabled" in result.stdout else PrinterStatus.UNKNOWN
