"""The API's waits: `estimated_wait_minutes` everywhere, and a range where it is uncertain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.site import Site, in_process

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)


@pytest.fixture
def demo(sqlite_db: str) -> Iterator[Site]:
    with in_process(sqlite_db, state={"clock": lambda: NOW}) as site:
        yield site


def test_ticket_phone_page_and_queue_show_one_wait_with_its_range(demo: Site) -> None:
    opened = demo.client.post(
        "/api/v1/counters/2/state", json={"state": "open"}, headers=demo.staff
    )
    assert opened.status_code == 200, opened.text
    for _ in range(6):
        demo.issue("flytning")
    demo.call_next(2)

    queue = demo.client.get(f"/api/v1/branches/{demo.branch}/queue").json()
    button = next(q for q in queue if q["service"] == "flytning")
    ticket = demo.issue("flytning")
    tracking = ticket["tracking_url"].rsplit("/", 1)[1]
    phone = demo.client.get(f"/api/v1/tickets/{tracking}").json()

    # One counter, just called F001 for a ten-minute errand (half of them are done within nine
    # minutes: the median), five ahead at ten minutes each: 59 minutes.
    assert button["estimated_wait_minutes"] == ticket["estimated_wait_minutes"] == 59
    assert phone["estimated_wait_minutes"] == 59
    low, high = ticket["estimated_wait_range"]
    assert low < 59 < high
    assert phone["estimated_wait_range"] == [low, high] == button["estimated_wait_range"]


def test_a_short_wait_has_no_range(demo: Site) -> None:
    ticket = demo.issue("flytning")

    # No counter open yet: the work ahead (none), as one figure.
    assert ticket["estimated_wait_minutes"] == 0 and ticket["estimated_wait_range"] is None


def test_the_openapi_document_describes_the_range(demo: Site) -> None:
    schemas = demo.client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    for name in ("QueueOut", "TicketOut"):
        assert "estimated_wait_range" in schemas[name]["properties"]
        assert "estimated_wait_minutes" in schemas[name]["required"]
