from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.applications import Starlette

from skranke.printers.ticket import TicketPrint
from skranke.store.print_jobs import print_job_t
from skranke.store.tables import device_t, event_t
from tests.site import Site as BaseSite
from tests.site import in_process

COPENHAGEN_WINTER = timezone(timedelta(hours=1))
TICKETS = "/api/v1/branches/hovedbiblioteket/tickets"


@pytest.fixture
def danish_ticket() -> TicketPrint:
    return TicketPrint(
        branch="Hovedbiblioteket Aarhus",
        number="K012",
        service="Kørekort – fornyelse (Ærø/Åbenrå)",
        issued_at=datetime(2025, 3, 12, 14, 5, tzinfo=COPENHAGEN_WINTER),
        position=3,
        wait_minutes=10,
        qr_url="https://skranke.example.dk/t/7f3a9c",
        footer="Tak for besøget – vi ses!\nÅbent 10–18",
        language="da",
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never reads or answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A tiny receive window, inherited by the queued connections, so a sender stalls quickly.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    """The suite's demo site, with the kiosk printer's jobs and events in reach."""

    base: BaseSite
    published: list[dict[str, Any]]

    @property
    def client(self) -> httpx.Client:
        return self.base.client

    @property
    def app(self) -> Starlette:
        return self.base.app

    @property
    def kiosk_token(self) -> str:
        return self.base.creds.kiosk_token

    @property
    def staff_token(self) -> str:
        return self.base.creds.staff_token

    def issue(self, service: str = "flytning", key: str | None = None) -> httpx.Response:
        # The answer as it is: these tests read its status and idempotency headers.
        return self.base.post_ticket(service, key=key)

    def db(self, fn: Callable[..., Any], *args: Any, write: bool = False) -> Any:
        return self.base.write(fn, *args) if write else self.base.read(fn, *args)

    def use_printer(self, url: str | None) -> None:
        def update(conn: Connection) -> None:
            kiosk = device_t.c.key == "kiosk-1"
            conn.execute(sa.update(device_t).where(kiosk).values(printer_url=url))

        self.db(update, write=True)

    def job(self, ticket_id: int) -> dict[str, Any]:
        def find(conn: Connection) -> dict[str, Any]:
            row = conn.execute(
                sa.select(print_job_t).where(print_job_t.c.ticket_id == ticket_id)
            ).one()
            return dict(row._mapping)

        found: dict[str, Any] = self.db(find)
        return found

    def recorded(self, kind: str) -> list[dict[str, Any]]:
        def find(conn: Connection) -> list[dict[str, Any]]:
            rows = conn.execute(sa.select(event_t).where(event_t.c.kind == kind))
            return [dict(r._mapping) for r in rows]

        found: list[dict[str, Any]] = self.db(find)
        return found


@pytest.fixture
def site(sqlite_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SKRANKE_PRINT_RETRY_SECONDS", "0.1")
    monkeypatch.setenv("SKRANKE_PRINT_RETRY_MAX_SECONDS", "0.2")
    monkeypatch.setenv("SKRANKE_PRINT_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("SKRANKE_PRINT_PROBE_SECONDS", "0.5")
    with in_process(sqlite_db) as base:
        published: list[dict[str, Any]] = []
        base.app.state.db.listeners.append(published.extend)
        yield Site(base, published)
