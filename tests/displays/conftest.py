from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.demo import DemoCredentials, load_demo
from skranke.displays.link import LiveOptions
from skranke.web.app import create_app

KIOSK_TICKETS = "/api/v1/branches/hovedbiblioteket/tickets"


@dataclass
class Site:
    client: TestClient
    creds: DemoCredentials
    app: Any

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def issue(self, service: str = "flytning") -> dict[str, Any]:
        response = self.client.post(
            KIOSK_TICKETS, json={"service": service}, headers=self.bearer(self.creds.kiosk_token)
        )
        assert response.status_code == 201, response.text
        ticket: dict[str, Any] = response.json()
        return ticket

    def call_next(self, counter: int = 2) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/counters/{counter}/call-next", headers=self.bearer(self.creds.staff_token)
        )
        assert response.status_code == 200, response.text
        ticket: dict[str, Any] = response.json()
        return ticket

    def log_in(self, username: str = "staff", password: str = "demo-staff") -> str:
        """Logs the test client in; returns the session's CSRF token."""
        form = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"csrf": csrf_of(form.text), "username": username, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        page = self.client.get("/counter?counter=2")
        token = re.search(r'"csrf": "([^"]+)"', page.text)
        assert token is not None
        return token.group(1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no CSRF field in the form"
    return found.group(1)


def tracking_of(ticket: dict[str, Any]) -> str:
    return str(ticket["tracking_url"]).rsplit("/", 1)[1]


def make_site(database_url: str, options: LiveOptions | None = None) -> Iterator[Site]:
    app = create_app(Settings(database_url=database_url, public_url="http://testserver"))
    if options is not None:
        app.state.live_options = options
    with TestClient(app, base_url="http://testserver") as client:
        creds = client.portal.call(app.state.db.write, load_demo, datetime.now(UTC), None)  # type: ignore[union-attr]
        yield Site(client, creds, app)


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    yield from make_site(sqlite_db)
