from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from skranke.queue.accounts import create_token, create_user
from skranke.queue.branches import BranchSpec, create_branch
from skranke.queue.states import Role
from skranke.store import Conn
from tests.site import Site

TICKETS = "/api/v1/branches/hovedbiblioteket/tickets"


def test_kiosk_issues_a_ticket_with_position_estimate_and_tracking_link(demo: Site) -> None:
    first = demo.issue()
    second = demo.issue()

    assert (first["number"], second["number"]) == ("F001", "F002")
    assert (first["position"], second["position"]) == (1, 2)
    assert second["estimated_wait_minutes"] == 10
    assert str(second["tracking_url"]).startswith("https://skranke.example/t/")


def test_staff_calls_the_ticket_and_the_phone_page_sees_the_counter(demo: Site) -> None:
    ticket = demo.issue()

    called = demo.client.post("/api/v1/counters/2/call-next", headers=demo.staff)
    tracking = str(ticket["tracking_url"]).rsplit("/", 1)[1]
    phone = demo.client.get(f"/api/v1/tickets/{tracking}")

    assert called.status_code == 200 and called.json()["number"] == "F001"
    assert phone.json()["state"] == "called"
    assert phone.json()["counter"]["number"] == 2


def test_call_next_with_nobody_waiting_answers_204(demo: Site) -> None:
    response = demo.client.post("/api/v1/counters/3/call-next", headers=demo.staff)

    assert response.status_code == 204


def test_public_reads_need_no_token(demo: Site) -> None:
    demo.issue("laan")

    branches = demo.client.get("/api/v1/branches")
    services = demo.client.get("/api/v1/branches/hovedbiblioteket/services")
    queue = demo.client.get("/api/v1/branches/hovedbiblioteket/queue")

    assert [b["key"] for b in branches.json()] == ["hovedbiblioteket"]
    assert "koerekort" in [s["key"] for s in services.json()]
    waiting = {q["service"]: q["waiting"] for q in queue.json()}
    assert waiting["laan"] == 1 and waiting["pas"] == 0


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        (TICKETS, {"service": "hundeskat"}, 404, "not_found"),
        ("/api/v1/branches/atlantis/tickets", {"service": "pas"}, 404, "not_found"),
        (TICKETS, {"service": "flytning", "language": "xx"}, 422, "invalid_request"),
        (TICKETS, {"service": "flytning", "cpr": "010101-1234"}, 422, "invalid_request"),
        (TICKETS, {}, 422, "invalid_request"),
        (TICKETS, ["flytning"], 400, "malformed_json"),
        (TICKETS, {"service": "pas"}, 403, "forbidden"),
    ],
)
def test_bad_ticket_requests_get_a_json_error(
    demo: Site, path: str, body: object, status: int, error: str
) -> None:
    response = demo.client.post(path, json=body, headers=demo.kiosk)

    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["detail"]


def test_malformed_json_is_refused(demo: Site) -> None:
    response = demo.client.post(TICKETS, content=b'{"service": ', headers=demo.kiosk)

    assert response.status_code == 400
    assert response.json() == {
        "error": "malformed_json",
        "detail": "Expected a JSON object, but got invalid JSON",
    }


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer skd_not-a-real-token"}, 401),
        ({"Authorization": "Basic YWRtaW46ZGVtbw=="}, 401),
    ],
)
def test_missing_or_wrong_token_cannot_issue(
    demo: Site, headers: dict[str, str], status: int
) -> None:
    response = demo.client.post(TICKETS, json={"service": "flytning"}, headers=headers)

    assert response.status_code == status
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/counters/1/call-next",
        "/api/v1/tickets/1/finish",
        "/api/v1/tickets/1/no-show",
        "/api/v1/branches/hovedbiblioteket/counters",
    ],
)
def test_kiosk_token_cannot_use_staff_actions(demo: Site, path: str) -> None:
    demo.issue()
    method = demo.client.get if path.endswith("counters") else demo.client.post

    as_kiosk = method(path, headers=demo.kiosk)
    as_display = method(path, headers=demo.auth(demo.creds.display_token))
    anonymous = method(path)

    assert as_kiosk.status_code == 403 and as_kiosk.json()["error"] == "forbidden"
    assert as_display.status_code == 403
    assert anonymous.status_code == 401


def test_illegal_transition_answers_409_with_expected_and_actual(demo: Site) -> None:
    ticket = demo.issue()

    response = demo.client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=demo.staff)

    assert response.status_code == 409
    assert response.json() == {
        "error": "illegal_transition",
        "detail": "Cannot move ticket to done: expected serving, but got waiting",
        "reason": "wrong_state",
        "params": {"number": ticket["number"], "state": "waiting"},
    }


def test_unknown_ticket_counter_and_route_answer_404_json(demo: Site) -> None:
    ticket = demo.client.post("/api/v1/tickets/999/serve", headers=demo.staff)
    counter = demo.client.post("/api/v1/counters/999/call-next", headers=demo.staff)
    tracking = demo.client.get("/api/v1/tickets/no-such-tracking")
    route = demo.client.get("/api/v1/nowhere")

    for response in (ticket, counter, tracking, route):
        assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_transfer_needs_exactly_one_target(demo: Site) -> None:
    ticket = demo.issue()
    path = f"/api/v1/tickets/{ticket['id']}/transfer"

    both = demo.client.post(path, json={"service": "pas", "counter": 1}, headers=demo.staff)
    neither = demo.client.post(path, json={}, headers=demo.staff)
    moved = demo.client.post(path, json={"service": "mitid"}, headers=demo.staff)

    assert both.status_code == 422 and neither.status_code == 422
    assert moved.status_code == 201 and moved.json()["service"] == "mitid"


def test_counter_state_changes_and_rejects_unknown_states(demo: Site) -> None:
    path = "/api/v1/counters/4/state"

    opened = demo.client.post(path, json={"state": "open"}, headers=demo.staff)
    bogus = demo.client.post(path, json={"state": "on fire"}, headers=demo.staff)

    assert opened.status_code == 200
    assert bogus.status_code == 422


def api_routes(demo: Site) -> set[tuple[str, str]]:
    app: Starlette = demo.client.app  # type: ignore[assignment]
    return {
        (re.sub(r":\w+}", "}", r.path), method.lower())
        for r in app.routes
        if isinstance(r, Route) and r.path.startswith("/api/v1/")
        for method in r.methods or ()
        if method != "HEAD"
    }


def test_openapi_document_describes_every_route(demo: Site) -> None:
    document = demo.client.get("/api/v1/openapi.json").json()

    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert document["openapi"].startswith("3.")
    assert described == api_routes(demo)
    assert ("/api/v1/counters/{counter}/status", "get") in described
    ticket_post = document["paths"]["/api/v1/branches/{branch}/tickets"]["post"]
    assert ticket_post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "IssuedTicketOut" in document["components"]["schemas"]


def error_schema(document: dict[str, Any], path: str, method: str, status: str) -> Any:
    response = document["paths"][path][method]["responses"][status]
    return response["content"]["application/json"]["schema"]


def test_openapi_document_describes_error_bodies_with_their_extras(demo: Site) -> None:
    document = demo.client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    taken = error_schema(document, "/api/v1/bookings", "post", "409")
    checkin = error_schema(document, "/api/v1/branches/{branch}/checkins", "post", "409")
    unauthorized = error_schema(document, "/api/v1/counters/{counter}/call-next", "post", "401")

    assert taken == {"$ref": "#/components/schemas/SlotTakenOut"}
    assert "nearest" in schemas["SlotTakenOut"]["properties"]
    refs = {option["$ref"].rsplit("/", 1)[1] for option in checkin["anyOf"]}
    assert refs == {"TooEarlyOut", "TooLateOut", "ErrorOut"}
    assert "come_back_at" in schemas["TooEarlyOut"]["properties"]
    assert set(schemas["ErrorOut"]["required"]) == {"error", "detail"}
    assert unauthorized == {"$ref": "#/components/schemas/ErrorOut"}


def other_branch_staff(demo: Site) -> dict[str, str]:
    """An API token of a staff user who works at Lilleby only."""

    def create(conn: Conn) -> str:
        create_branch(conn, BranchSpec(key="lilleby", name="Lilleby", services=[], counters=[]))
        create_user(conn, "lilleby-staff", "correct horse battery", Role.STAFF, ["lilleby"])
        return create_token(conn, "lilleby-staff", "test", datetime.now(UTC))

    token = demo.client.portal.call(  # type: ignore[union-attr]
        demo.client.app.state.db.write,  # type: ignore[attr-defined]
        create,
    )
    return demo.auth(token)


def test_staff_of_another_branch_cannot_read_the_day_s_bookings(demo: Site) -> None:
    outsider = other_branch_staff(demo)
    path = "/api/v1/branches/hovedbiblioteket/bookings"

    own = demo.client.get(path, headers=demo.staff)
    other = demo.client.get(path, headers=outsider)

    assert own.status_code == 200
    assert other.status_code == 403 and other.json()["error"] == "forbidden"


def test_staff_of_another_branch_cannot_list_its_counters(demo: Site) -> None:
    outsider = other_branch_staff(demo)
    path = "/api/v1/branches/hovedbiblioteket/counters"

    own = demo.client.get(path, headers=demo.staff)
    other = demo.client.get(path, headers=outsider)
    their_own = demo.client.get("/api/v1/branches/lilleby/counters", headers=outsider)

    assert own.status_code == 200 and own.json()
    assert other.status_code == 403 and other.json()["error"] == "forbidden"
    assert their_own.status_code == 200 and their_own.json() == []


def test_an_admin_token_may_take_staff_actions_at_any_branch(demo: Site) -> None:
    admin = demo.auth(demo.creds.admin_token)

    counters = demo.client.get("/api/v1/branches/hovedbiblioteket/counters", headers=admin)
    called = demo.client.post("/api/v1/counters/3/call-next", headers=admin)

    assert counters.status_code == 200
    assert called.status_code == 204
