"""A PostgreSQL restart: 503 while it is away, and the wall display hears the next call soon
after it is back (issue 10: calls used to reach the wall only 6–20 s later)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from skranke.migrate import upgrade
from tests.pg_cluster import PrivateCluster
from tests.site import Site, served

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
BACK_WITHIN_SECONDS = 5.0
OUTAGE_SECONDS = 6.0


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    private = PrivateCluster()
    private.create()
    try:
        yield private
    finally:
        private.destroy()


class Wall:
    """A display socket read on a thread, every message kept with when it came."""

    def __init__(self, ws: Any, site: Site) -> None:
        self.ws = ws
        self.ws.send(json.dumps({"type": "hello", "token": site.creds.display_token}))
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                self.messages.append((time.monotonic(), json.loads(raw)))
        except Exception:
            return  # closed at the end of the test

    def shown_at(self, number: str) -> float | None:
        """When `number` first reached the wall: as a call, or in a fresh snapshot's calls."""
        for at, message in list(self.messages):
            if message["type"] == "call" and message.get("number") == number:
                return at
            calls = message.get("calls", []) if message["type"] == "snapshot" else []
            if any(call.get("number") == number for call in calls):
                return at
        return None


def test_a_wall_display_shows_the_next_call_within_5_s_of_postgresql_returning(
    cluster: PrivateCluster,
) -> None:
    upgrade(cluster.url)
    with served(cluster.url) as site, connect(f"{site.ws_url}/ws/display/display-1") as ws:
        wall = Wall(ws, site)
        deadline = time.monotonic() + 10
        while not wall.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wall.messages and wall.messages[0][1]["type"] == "snapshot"

        cluster.stop()
        during = site.post_ticket("flytning")
        # Long enough for the listener to fail to reconnect several times, as in a real
        # restart; its retry delay must not have grown meanwhile.
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        back = time.monotonic()
        called = issue_and_call(site, until=back + BACK_WITHIN_SECONDS)
        while wall.shown_at(called) is None and time.monotonic() < back + 10:
            time.sleep(0.05)
        shown = wall.shown_at(called)

    assert during.status_code == 503, during.text
    assert during.json()["error"] == "unavailable" and during.headers["retry-after"]
    assert shown is not None, "the call never reached the wall display"
    assert shown - back < BACK_WITHIN_SECONDS, f"{shown - back:.1f} s after the database returned"


def issue_and_call(site: Site, until: float) -> str:
    """Issue a ticket and call it as soon as the server can again; the called number."""
    while time.monotonic() < until:
        issued = site.post_ticket("flytning")
        if issued.status_code == 201:
            response = site.client.post("/api/v1/counters/2/call-next", headers=site.staff)
            if response.status_code == 200:
                number: str = response.json()["number"]
                return number
        assert issued.status_code in (201, 503), issued.text
        time.sleep(0.1)
    raise AssertionError("the server did not issue and call again in time")
