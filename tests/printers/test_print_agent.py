"""`skranke print-agent` against a real server over real websockets."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from skranke.printers.agent import AgentOptions, PrintAgent, agent_url
from skranke.printers.connections import DummyPrinter, printer_from_url
from skranke.store.print_jobs import print_job_t
from tests.conftest import run_async
from tests.printers.helpers import EmulatorThread, wait_for
from tests.site import Site, demo, served

QUICK = AgentOptions(timeout=2, probe_timeout=0.5, backoff_initial=0.05, backoff_max=0.2)


class AgentThread:
    """A print agent running in its own thread and event loop, as on a kiosk PC."""

    def __init__(self, agent: PrintAgent) -> None:
        self.agent = agent
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.task: asyncio.Task[None] | None = None

    def _run(self) -> None:
        self.task = self.loop.create_task(self.agent.run())
        try:
            self.loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            pass
        finally:
            self.loop.close()

    def __enter__(self) -> AgentThread:
        self.thread.start()
        wait_for(self.agent.connected.is_set, what="the agent to connect")
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(lambda: self.task and self.task.cancel())
        self.thread.join(10)


def agent_of(server: Site, printer: Any, token: str | None = None) -> PrintAgent:
    url = agent_url(server.url, "kiosk-1")
    return PrintAgent(url, token or server.creds.kiosk_token, printer, QUICK)


def job_status(server: Site, ticket_id: int) -> str:
    def read(conn: Connection) -> str:
        status: str = conn.execute(
            sa.select(print_job_t.c.status).where(print_job_t.c.ticket_id == ticket_id)
        ).scalar_one()
        return status

    status: str = server.read(read)
    return status


@pytest.fixture
def server(sqlite_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SKRANKE_PRINT_RETRY_SECONDS", "0.1")
    monkeypatch.setenv("SKRANKE_PRINT_RETRY_MAX_SECONDS", "0.2")
    monkeypatch.setenv("SKRANKE_PRINT_WAIT_SECONDS", "3")
    with served(sqlite_db, demo("agent://kiosk-1"), public_url="https://skranke.example") as site:
        yield site


def test_the_agent_prints_a_kiosk_ticket_to_its_printer_and_acknowledges_it(
    server: Site, tmp_path: Path
) -> None:
    with EmulatorThread(tmp_path) as emulator:
        printer = printer_from_url(emulator.url, timeout=2)
        with AgentThread(agent_of(server, printer)):
            ticket = server.issue()
            (printed,) = emulator.wait_for_tickets(1)

    assert ticket["print"]["status"] == "printed"
    # The number and the service line are drawn images (one style in every language).
    assert printed.count("[IMAGE 512x") == 2
    assert f"[QR] {ticket['tracking_url']}" in printed
    assert wait_for(lambda: job_status(server, ticket["id"]) == "printed")


def test_a_ticket_made_while_the_agent_was_away_prints_when_it_returns(server: Site) -> None:
    printer = DummyPrinter()
    with AgentThread(agent_of(server, printer)):
        server.issue()
    wait_for(lambda: len(printer.printed) == 1)

    away = server.issue()
    with AgentThread(agent_of(server, printer)):
        wait_for(lambda: len(printer.printed) == 2, what="the waiting job to print")

    assert away["print"]["status"] == "failed"
    assert away["tracking_url"].encode() in printer.printed[1]
    assert wait_for(lambda: job_status(server, away["id"]) == "printed")


@pytest.mark.parametrize(
    ("token", "status"),
    [("skd_not-a-real-token", 401), ("display", 403)],
)
def test_the_agent_socket_refuses_other_tokens(server: Site, token: str, status: int) -> None:
    presented = server.creds.display_token if token == "display" else token

    async def handshake() -> int:
        try:
            async with connect(
                agent_url(server.url, "kiosk-1"),
                additional_headers={"Authorization": f"Bearer {presented}"},
            ):
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    assert run_async(handshake()) == status
