"""Both ends of the print agent protocol without a socket: the server's hub, the agent."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from skranke.printers.agent import PrintAgent, agent_url
from skranke.printers.agent_hub import AgentHub
from skranke.printers.connections import DummyPrinter, PrinterError, PrinterStatus

pytestmark = pytest.mark.anyio


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


async def test_hub_delivers_a_job_and_returns_when_it_is_acknowledged() -> None:
    hub, socket = AgentHub(), FakeSocket()
    link = hub.connect("kiosk-1", socket.send)

    delivery = asyncio.ensure_future(hub.deliver("kiosk-1", 7, b"K012\n", timeout=1))
    await asyncio.sleep(0)
    hub.receive(link, {"type": "ack", "id": 7, "ok": True, "status": "ready"})

    assert (await delivery)["status"] == "ready"
    assert socket.sent == [{"type": "job", "id": 7, "data": base64.b64encode(b"K012\n").decode()}]


async def test_hub_passes_on_what_the_agent_says_is_wrong_with_its_printer() -> None:
    hub = AgentHub()
    link = hub.connect("kiosk-1", FakeSocket().send)

    delivery = asyncio.ensure_future(hub.deliver("kiosk-1", 7, b"K012\n", timeout=1))
    await asyncio.sleep(0)
    hub.receive(
        link, {"type": "ack", "id": 7, "ok": False, "error": "no paper", "status": "paper_out"}
    )

    with pytest.raises(PrinterError) as raised:
        await delivery
    assert (raised.value.permanent, raised.value.status) == (False, PrinterStatus.PAPER_OUT)


async def test_hub_fails_the_job_when_the_agent_leaves_before_acknowledging() -> None:
    hub = AgentHub()
    link = hub.connect("kiosk-1", FakeSocket().send)

    delivery = asyncio.ensure_future(hub.deliver("kiosk-1", 7, b"K012\n", timeout=1))
    await asyncio.sleep(0)
    hub.disconnect(link)

    with pytest.raises(PrinterError, match="went away"):
        await delivery
    with pytest.raises(PrinterError, match="not connected"):
        await hub.deliver("kiosk-1", 8, b"K013\n", timeout=1)


async def test_agent_prints_a_job_sent_twice_only_once() -> None:
    printer = DummyPrinter()
    agent = PrintAgent("ws://127.0.0.1:1/ws/agent/kiosk-1", "skd_x", printer)

    first = await agent._print(7, b"K012\n")
    again = await agent._print(7, b"K012\n")

    assert first["ok"] is True and again["ok"] is True
    assert printer.printed == [b"K012\n"]


async def test_agent_reports_a_failed_print_with_the_printer_status() -> None:
    printer = DummyPrinter(fail=PrinterError("paper out"), current_status=PrinterStatus.PAPER_OUT)
    agent = PrintAgent("ws://127.0.0.1:1/ws/agent/kiosk-1", "skd_x", printer)

    ack = await agent._print(7, b"K012\n")

    assert ack == {
        "type": "ack",
        "id": 7,
        "ok": False,
        "error": "paper out",
        "permanent": False,
        "status": "paper_out",
    }


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ("https://skranke.example.dk", "wss://skranke.example.dk/ws/agent/kiosk-1"),
        ("http://127.0.0.1:8000/skranke/", "ws://127.0.0.1:8000/skranke/ws/agent/kiosk-1"),
    ],
)
def test_agent_url_follows_the_server_address(server: str, expected: str) -> None:
    assert agent_url(server, "kiosk-1") == expected


def test_agent_url_refuses_what_is_no_server_address() -> None:
    with pytest.raises(ValueError, match="Expected a server URL"):
        agent_url("skranke.example.dk", "kiosk-1")
