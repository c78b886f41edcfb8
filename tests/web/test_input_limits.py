"""The tester's inputs from issue 10: each is a 4xx with `{"error", "detail"}`, never a 5xx.

Huge integers, ids past PostgreSQL's INTEGER, dates near year 1 or 9999, and NUL or other
control characters in a path, a query or a text field; on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from skranke.web.inputs import MAX_ID, IdConvertor, control_character
from tests.site import Site, in_process

B = "/api/v1/branches/hovedbiblioteket"
PAST_INTEGER = MAX_ID + 1
HUGE = 10**30
BOOKING = {"service": "pas", "name": "Karen Blixen", "email": "karen@example.dk"}


@pytest.fixture
def demo(database_url: str) -> Iterator[Site]:
    # Public at the test client's address, so the session cookie (CSRF) comes back.
    with in_process(database_url, public_url="http://testserver") as site:
        yield site


def refused(response: Any, status: int | tuple[int, ...] = 422) -> dict[str, Any]:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "detail"}, body
    return body


def test_the_id_convertor_matches_exactly_one_to_the_largest_integer() -> None:
    import re

    pattern = re.compile(IdConvertor.regex)
    for good in ("1", "9", "10", "999999999", "1000000000", "2147483599", str(MAX_ID)):
        assert pattern.fullmatch(good), good
    for bad in ("0", "01", "-1", str(MAX_ID + 1), "2147483650", "9999999999", "1" * 22):
        assert not pattern.fullmatch(bad), bad


def test_control_characters_are_found_but_ordinary_text_passes() -> None:
    assert control_character("Søren Ærø, Ümit Öztürk, Łukasz") is None
    assert control_character("a\x00b") == "\x00"
    assert control_character("a\x9fb") == "\x9f"
    assert control_character("a\ud800b") == "\ud800"
    assert control_character("two\nlines\t", "\t\n") is None


def test_a_ticket_number_past_64_bits_is_a_422(demo: Site) -> None:
    for ticket in (HUGE, PAST_INTEGER, 0, -1):
        body = refused(
            demo.client.post("/api/v1/counters/2/call", json={"ticket": ticket}, headers=demo.staff)
        )
        assert body["error"] == "invalid_request"


def test_a_ticket_id_in_the_path_past_the_column_is_a_404(demo: Site) -> None:
    for ticket in ("9999999999999999999999", str(PAST_INTEGER), "0"):
        for action in ("finish", "transfer"):
            response = demo.client.post(
                f"/api/v1/tickets/{ticket}/{action}", json={}, headers=demo.staff
            )
            assert refused(response, 404)["error"] == "not_found"
    # The largest id the column holds is routed, and simply not there.
    largest = demo.client.post(f"/api/v1/tickets/{MAX_ID}/finish", headers=demo.staff)
    assert refused(largest, 404)["error"] == "not_found"


def test_a_counter_id_past_the_column_is_a_404_on_every_counter_route(demo: Site) -> None:
    for counter in (str(HUGE), str(PAST_INTEGER)):
        for method, action in (("POST", "call-next"), ("POST", "state"), ("GET", "status")):
            response = demo.client.request(
                method, f"/api/v1/counters/{counter}/{action}", headers=demo.staff
            )
            refused(response, 404)
    largest = demo.client.get(f"/api/v1/counters/{MAX_ID}/status", headers=demo.staff)
    assert largest.status_code < 500, largest.text


def test_a_transfer_to_a_counter_past_64_bits_is_a_422(demo: Site) -> None:
    ticket = demo.issue()
    for counter in (62193848465712209920, PAST_INTEGER):
        response = demo.client.post(
            f"/api/v1/tickets/{ticket['id']}/transfer",
            json={"counter": counter},
            headers=demo.staff,
        )
        assert "counter" in refused(response)["detail"]


def test_a_counter_socket_past_the_column_is_refused_before_it_opens(demo: Site) -> None:
    assert isinstance(demo.client, TestClient)
    with (
        pytest.raises(WebSocketDisconnect),
        demo.client.websocket_connect(f"/ws/counter/{HUGE}"),
    ):
        pass


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00"])
def test_a_booking_in_year_9999_or_1_is_a_422(demo: Site, start: str) -> None:
    body = refused(demo.client.post("/api/v1/bookings", json={**BOOKING, "start": start}))
    assert "start" in body["detail"] and "2000" in body["detail"]


def test_a_day_or_a_range_far_outside_the_window_is_a_422(demo: Site) -> None:
    for date in ("0001-01-01", "9999-12-31"):
        response = demo.client.get(f"{B}/bookings", params={"date": date}, headers=demo.staff)
        assert "date" in refused(response)["detail"]
    for query in ({"from": "0001-01-01"}, {"to": "9999-12-31T23:59:59-12:00"}):
        refused(demo.client.get("/api/v1/services/pas/slots", params=query))


def test_booking_pages_far_outside_the_window_are_4xx(demo: Site) -> None:
    for month in ("9999-12", "0001-01"):
        response = demo.client.get("/book/hovedbiblioteket/pas", params={"month": month})
        assert response.status_code == 422, response.text
    for day in ("0001-01-01", "9999-12-31"):
        assert demo.client.get(f"/book/hovedbiblioteket/pas/{day}").status_code == 404
    start = {"start": "9999-12-31T23:00:00-05:00"}
    form = demo.client.get("/book/hovedbiblioteket/pas/form", params=start)
    assert form.status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/%00",
        f"{B}%00/queue",
        "/api/v1/services/pas%00/slots",
        "/api/v1/bookings/K7FQ%01X?token=x",
        "/book/hovedbiblioteket/pas%00",
        "/t/abc%00",
        "/display/wall%1b",
    ],
)
def test_a_control_character_in_a_path_is_a_422(demo: Site, path: str) -> None:
    method = "DELETE" if path.startswith("/api/v1/bookings/") else "GET"
    body = refused(demo.client.request(method, path))
    assert "control characters" in body["detail"]


def test_a_control_character_in_a_query_is_a_422(demo: Site) -> None:
    refused(demo.client.get("/api/v1/services/pas/slots", params={"branch": "a\x00"}))
    refused(demo.client.get("/kiosk/k", params={"lang": "da\x7f"}))
    # Ordinary non-ASCII letters are not control characters, escaped or not.
    fine = demo.client.get("/api/v1/services/pas/slots", params={"branch": "Ærø"})
    assert fine.status_code == 404


@pytest.mark.parametrize("text", ["flyt\x00ning", "flyt\nning", "flyt\x85ning", "pas\ud800"])
def test_a_control_character_in_a_text_field_is_a_422(demo: Site, text: str) -> None:
    for path, headers, body in (
        (f"{B}/tickets", demo.kiosk, {"service": text}),
        ("/api/v1/bookings", {}, {**BOOKING, "name": text, "start": "2030-01-01T10:00:00Z"}),
        (f"{B}/checkins", demo.kiosk, {"code": text}),
        ("/api/v1/counters/2/call", demo.staff, {"ticket": text}),
    ):
        # Escaped as JSON (`\u0000`, `\ud800`), as a client would send them; pydantic
        # itself refuses a lone surrogate, our text type the rest.
        json_headers = {**headers, "Content-Type": "application/json"}
        response = demo.client.post(path, content=json.dumps(body), headers=json_headers)
        assert refused(response)["error"] == "invalid_request", path


def test_a_nul_in_the_login_form_is_a_wrong_login(demo: Site) -> None:
    from tests.site import csrf_of

    csrf = csrf_of(demo.client.get("/login").text)
    response = demo.client.post(
        "/login", data={"csrf": csrf, "username": "staff\x00", "password": "demo-staff"}
    )
    assert response.status_code == 401


def test_a_nul_in_the_booking_form_is_a_form_error(demo: Site) -> None:
    from tests.site import csrf_of

    slots = demo.client.get("/api/v1/services/pas/slots").json()["slots"]
    start = slots[0]["start"]
    form_url = "/book/hovedbiblioteket/pas/form"
    csrf = csrf_of(demo.client.get(form_url, params={"start": start}).text)
    values = {"csrf": csrf, "start": start, "name": "Karen\x00", "email": "k@example.dk"}
    response = demo.client.post(form_url, data={**values, "consent": "yes"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text or "error" in response.text
