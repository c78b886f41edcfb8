"""The ticket SMS through the HTTP gateway: a real server on loopback stands in for it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.tables import outbox_t
from tests.site import Site, in_process, tracking_of
from tests.ticket_sms.conftest import PHONE, contact_rows


class Gateway:
    """Answers each POST with `status` and keeps its JSON body."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                gateway.received.append(json.loads(self.rfile.read(length)))
                self.send_response(gateway.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    found = Gateway()
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture
def site(sqlite_db: str, gateway: Gateway) -> Iterator[Site]:
    with in_process(sqlite_db, jobs_enabled=False, sms_gateway_url=gateway.url) as found:
        yield found


def notices(conn: Connection) -> list[tuple[str, int, str | None]]:
    rows = conn.execute(
        sa.select(outbox_t.c.state, outbox_t.c.attempts, outbox_t.c.last_error).where(
            outbox_t.c.ticket_id.is_not(None)
        )
    )
    return [(r.state, r.attempts, r.last_error) for r in rows]


def waiting(site: Site, count: int) -> list[dict[str, Any]]:
    return [site.issue("flytning") for _ in range(count)]


def test_the_gateway_gets_the_number_and_the_text_once(site: Site, gateway: Gateway) -> None:
    tickets = waiting(site, 4)
    tracking = tracking_of(tickets[3])
    site.client.post(f"/t/{tracking}/sms?lang=en", data={"phone": "12 34 56 78"})

    site.call_next(1)
    site.call_next(2)

    assert len(gateway.received) == 1
    (body,) = gateway.received
    assert body["to"] == PHONE
    assert body["text"].startswith("Number F004: You are nearly up at Hovedbiblioteket")
    assert site.read(notices) == [("sent", 1, None)]


def test_a_failing_gateway_is_retried_and_an_ended_ticket_drops_its_sms(
    site: Site, gateway: Gateway
) -> None:
    gateway.status = 503
    tickets = waiting(site, 3)
    site.client.post(f"/t/{tracking_of(tickets[2])}/sms?lang=da", data={"phone": "12345678"})
    site.call_next(1)  # third at once: the gateway is asked, and fails
    failed = site.read(notices)

    left = site.client.post(f"/t/{tracking_of(tickets[2])}/leave?lang=da")
    gateway.status = 200
    site.call_next(2)

    assert left.status_code == 200
    assert [(state, attempts) for state, attempts, _ in failed] == [("pending", 1)]
    assert "503" in str(failed[0][2])
    assert len(gateway.received) == 1  # the one failed try; never sent after leaving
    assert site.read(notices) == [("dropped", 1, None)]
    assert site.read(contact_rows) == []
