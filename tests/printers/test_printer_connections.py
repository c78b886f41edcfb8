from __future__ import annotations

import asyncio
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from skranke.printers._transports import (
    CupsPrinter,
    FilePrinter,
    NetworkPrinter,
    SerialPrinter,
    UsbPrinter,
)
from skranke.printers.connections import (
    AgentPrinter,
    DummyPrinter,
    PrinterError,
    PrinterStatus,
    printer_from_url,
    status_from_bytes,
)
from skranke.printers.emulator import serve_emulator
from skranke.printers.render import render_ticket
from skranke.printers.ticket import TicketPrint


@dataclass
class Receiver:
    """A TCP peer that takes one connection and keeps everything sent until the sender closes."""

    port: int
    received: bytearray = field(default_factory=bytearray)
    done: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    peer = Receiver(port=listener.getsockname()[1])

    def receive() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5)
            while chunk := connection.recv(65536):
                peer.received += chunk
        peer.done.set()

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    yield peer
    listener.close()
    thread.join(5)


def test_network_printer_delivers_the_rendered_ticket(
    danish_ticket: TicketPrint, receiver: Receiver
) -> None:
    printer = printer_from_url(f"network://127.0.0.1:{receiver.port}", timeout=5)

    printer.send(render_ticket(danish_ticket))

    assert receiver.done.wait(5)
    data = bytes(receiver.received)
    assert b"Tak for bes\x9bget - vi ses!" in data
    assert b"\x1dv0" in data  # the number and the service line, drawn
    assert b"https://skranke.example.dk/t/7f3a9c" in data
    assert data.endswith(b"\x1dV\x00")


def test_refused_connection_is_a_passing_error(closed_port: int) -> None:
    printer = printer_from_url(f"network://127.0.0.1:{closed_port}", timeout=2)

    with pytest.raises(PrinterError) as raised:
        printer.send(b"K012\n")

    assert raised.value.permanent is False


def test_unknown_scheme_is_a_permanent_error_naming_expected_and_actual() -> None:
    with pytest.raises(PrinterError) as raised:
        printer_from_url("bluetooth://00:11:22:33:44:55")

    assert raised.value.permanent is True
    assert "network://" in raised.value.message
    assert "but got 'bluetooth://00:11:22:33:44:55'" in raised.value.message


@pytest.mark.parametrize(
    "url",
    [
        "network://printer.local:port",
        "network://:9100",
        "usb://04b8",
        "usb://epson:tm88",
        "serial:///dev/ttyUSB0?baudrate=fast",
        "serial://ttyUSB0",
        "file://",
        "cups://",
        "agent://",
        "dummy://?fail=sometimes",
        "",
    ],
)
def test_malformed_url_is_a_permanent_error(url: str) -> None:
    with pytest.raises(PrinterError) as raised:
        printer_from_url(url)

    assert raised.value.permanent is True
    assert f"but got {url!r}" in raised.value.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "network://10.0.4.20:9100",
            NetworkPrinter("network://10.0.4.20:9100", "10.0.4.20", 9100, 3),
        ),
        (
            "network://kiosk-printer",
            NetworkPrinter("network://kiosk-printer", "kiosk-printer", 9100, 3),
        ),
        ("usb://04b8:0202", UsbPrinter("usb://04b8:0202", 0x04B8, 0x0202, 3)),
        (
            "serial:///dev/ttyUSB0?baudrate=19200",
            SerialPrinter("serial:///dev/ttyUSB0?baudrate=19200", "/dev/ttyUSB0", 19200, 3),
        ),
        ("file:///dev/usb/lp0", FilePrinter("file:///dev/usb/lp0", "/dev/usb/lp0")),
        ("cups://TM-T88V", CupsPrinter("cups://TM-T88V", "TM-T88V", 3)),
        ("agent://kiosk-3", AgentPrinter(kiosk_id="kiosk-3", url="agent://kiosk-3")),
    ],
)
def test_url_names_the_connection(url: str, expected: object) -> None:
    assert printer_from_url(url, timeout=3) == expected


def test_agent_printer_refuses_a_direct_send_permanently() -> None:
    printer = printer_from_url("agent://kiosk-3")

    with pytest.raises(PrinterError, match="via the print agent") as raised:
        printer.send(b"K012\n")

    assert raised.value.permanent is True


def test_dummy_printer_keeps_what_was_printed() -> None:
    printer = printer_from_url("dummy://")

    printer.send(b"K012\n")

    assert isinstance(printer, DummyPrinter)
    assert printer.printed == [b"K012\n"]


def test_dummy_printer_can_be_told_to_fail() -> None:
    printer = printer_from_url("dummy://?fail=passing&status=paper_out")

    with pytest.raises(PrinterError) as raised:
        printer.send(b"K012\n")

    assert raised.value.permanent is False
    assert printer.status() is PrinterStatus.PAPER_OUT


def test_file_printer_writes_the_job(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    printer = printer_from_url(f"file://{device}")

    printer.send(b"K012\n")

    assert device.read_bytes() == b"K012\n"


def test_file_printer_without_its_device_node_is_a_passing_error(tmp_path: Path) -> None:
    printer = printer_from_url(f"file://{tmp_path}/unplugged/lp0")

    with pytest.raises(PrinterError) as raised:
        printer.send(b"K012\n")

    assert raised.value.permanent is False


@pytest.mark.skipif(importlib.util.find_spec("usb") is not None, reason="pyusb is installed")
def test_usb_printer_without_pyusb_is_a_permanent_error() -> None:
    printer = printer_from_url("usb://04b8:0202")

    with pytest.raises(PrinterError, match="pyusb") as raised:
        printer.send(b"K012\n")

    assert raised.value.permanent is True


async def _status_from_emulator(tmp_path: Path, *, paper_out: bool) -> PrinterStatus:
    server = await serve_emulator("127.0.0.1", 0, tmp_path, paper_out=paper_out)
    async with server:
        port = server.sockets[0].getsockname()[1]
        printer = printer_from_url(f"network://127.0.0.1:{port}", timeout=2)
        return await asyncio.to_thread(printer.status)


def test_status_of_the_emulator_is_ready(tmp_path: Path) -> None:
    assert asyncio.run(_status_from_emulator(tmp_path, paper_out=False)) is PrinterStatus.READY


def test_status_reports_paper_out(tmp_path: Path) -> None:
    status = asyncio.run(_status_from_emulator(tmp_path, paper_out=True))

    assert status is PrinterStatus.PAPER_OUT


def test_status_of_a_printer_that_never_answers_is_unknown_within_the_timeout(
    silent_port: int,
) -> None:
    printer = printer_from_url(f"network://127.0.0.1:{silent_port}", timeout=0.3)
    started = time.monotonic()

    status = printer.status()

    assert status is PrinterStatus.UNKNOWN
    assert time.monotonic() - started < 1.0


def test_status_of_a_closed_port_is_unreachable(closed_port: int) -> None:
    printer = printer_from_url(f"network://127.0.0.1:{closed_port}", timeout=1)

    assert printer.status() is PrinterStatus.UNREACHABLE


def test_status_byte_with_near_end_sensor_set_means_paper_low() -> None:
    assert status_from_bytes(online=0x16, paper=0x1E) is PrinterStatus.PAPER_LOW
