"""A staff action on a ticket in the wrong state answers 409 and leaves the ticket as it was."""

from __future__ import annotations

import pytest

from tests.site import Site

TICKETS = "/api/v1/branches/hovedbiblioteket/tickets"


@pytest.mark.parametrize(
    ("action", "expected"), [("recall", "called"), ("resume", "parked"), ("serve", "called")]
)
def test_action_on_a_waiting_ticket_answers_409_and_it_stays_in_the_queue(
    demo: Site, action: str, expected: str
) -> None:
    issued = demo.client.post(TICKETS, json={"service": "flytning"}, headers=demo.kiosk)
    ticket = issued.json()
    tracking = str(ticket["tracking_url"]).rsplit("/", 1)[1]

    response = demo.client.post(f"/api/v1/tickets/{ticket['id']}/{action}", headers=demo.staff)
    phone = demo.client.get(f"/api/v1/tickets/{tracking}").json()
    called = demo.client.post("/api/v1/counters/2/call-next", headers=demo.staff)

    assert response.status_code == 409
    assert response.json()["error"] == "illegal_transition"
    assert f"expected {expected}, but got waiting" in response.json()["detail"]
    assert phone["state"] == "waiting" and phone["position"] == 1
    assert called.status_code == 200 and called.json()["id"] == ticket["id"]
