"""One authentication path: the middleware's caller, and the kinds a route asks for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from skranke.queue.accounts import Principal, hash_token
from skranke.queue.states import PrincipalKind, Role
from skranke.web.auth import ADMIN, STAFF, TokenCache, auth_middleware, caller
from skranke.web.endpoints import Endpoint, route
from skranke.web.errors import HANDLERS

BRANCH_1 = frozenset({1})
PEOPLE = {
    "tok-ada": Principal(PrincipalKind.ADMIN, "ada", Role.ADMIN, user_id=1),
    "tok-bo": Principal(PrincipalKind.STAFF, "bo", Role.STAFF, user_id=2, branch_ids=BRANCH_1),
    "tok-kiosk": Principal(PrincipalKind.KIOSK, "kiosk-1", device_id=7, branch_ids=BRANCH_1),
}


async def whoami(request: Request) -> Response:
    who = caller(request)
    return JSONResponse({"kind": who.kind, "name": who.name})


async def socket_whoami(websocket: WebSocket) -> None:
    await websocket.accept()
    user, scopes = websocket.user.display_name, websocket.auth.scopes
    await websocket.send_json({"user": user, "scopes": scopes})
    await websocket.close()


@pytest.fixture
def client() -> Iterator[TestClient]:
    # The token cache already knows every token, so the backend never needs a database.
    tokens = TokenCache(ttl=3600)
    for token, who in PEOPLE.items():
        tokens.put(hash_token(token), who)
    tokens.put(hash_token("tok-revoked"), None)
    app = Starlette(
        routes=[
            route(Endpoint("GET", "/admin-only", whoami, "test", ADMIN)),
            route(Endpoint("GET", "/staff-only", whoami, "test", STAFF)),
            WebSocketRoute("/ws/whoami", socket_whoami),
        ],
        middleware=[auth_middleware()],
        exception_handlers=HANDLERS,
    )
    app.state.tokens = tokens
    with TestClient(app) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_only_route_lets_an_admin_in(client: TestClient) -> None:
    response = client.get("/admin-only", headers=bearer("tok-ada"))

    assert response.status_code == 200
    assert response.json() == {"kind": "admin", "name": "ada"}


def test_an_admin_only_route_refuses_staff_with_expected_and_actual(client: TestClient) -> None:
    response = client.get("/admin-only", headers=bearer("tok-bo"))

    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": "Expected an admin token, but got a staff token",
    }


def test_an_admin_may_do_what_staff_may(client: TestClient) -> None:
    admin = client.get("/staff-only", headers=bearer("tok-ada"))
    staff = client.get("/staff-only", headers=bearer("tok-bo"))
    kiosk = client.get("/staff-only", headers=bearer("tok-kiosk"))

    assert (admin.status_code, staff.status_code, kiosk.status_code) == (200, 200, 403)


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Expected a staff token, but got none"),
        (bearer("tok-revoked"), "Unknown or revoked token"),
        ({"Authorization": "Basic YWRtaW46ZGVtbw=="}, "Expected 'Authorization: Bearer <token>'"),
        (bearer("x" * 201), "Expected 'Authorization: Bearer <token>'"),
    ],
)
def test_a_guarded_route_without_a_known_token_answers_401(
    client: TestClient, headers: dict[str, str], detail: str
) -> None:
    response = client.get("/staff-only", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "detail": detail}
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_middleware_names_the_caller_of_a_websocket_too(client: TestClient) -> None:
    with client.websocket_connect("/ws/whoami", headers=bearer("tok-kiosk")) as ws:
        known = ws.receive_json()
    with client.websocket_connect("/ws/whoami") as ws:
        anonymous = ws.receive_json()

    assert known == {"user": "kiosk-1", "scopes": ["authenticated", "kiosk"]}
    assert anonymous == {"user": "", "scopes": []}
