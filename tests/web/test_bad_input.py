"""Bad input and a missing database get a clear 4xx or 503, never a 500."""

from __future__ import annotations

from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.web.app import create_app
from tests.conftest import unreachable_postgres_url
from tests.site import Site

DEEP = b"[" * 30_000 + b"]" * 30_000


def test_json_nested_30000_levels_deep_is_a_400_for_anyone(demo: Site) -> None:
    for path, headers in (
        ("/api/v1/bookings", {}),
        ("/api/v1/branches/hovedbiblioteket/tickets", demo.kiosk),
    ):
        body = b'{"service": ' + DEEP + b"}"
        response = demo.client.post(
            path, content=body, headers={**headers, "Content-Type": "application/json"}
        )

        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"] == "malformed_json"


def test_json_a_little_too_deep_is_refused_and_a_plain_request_still_works(demo: Site) -> None:
    nested: object = "flytning"
    for _ in range(20):
        nested = {"x": nested}

    too_deep = demo.client.post(
        "/api/v1/branches/hovedbiblioteket/tickets",
        json={"service": "flytning", "extra": nested},
        headers=demo.kiosk,
    )
    plain = demo.client.post(
        "/api/v1/branches/hovedbiblioteket/tickets",
        json={"service": "flytning"},
        headers=demo.kiosk,
    )

    assert too_deep.status_code == 400
    assert plain.status_code == 201


def test_a_wrong_method_is_a_405_that_names_the_allowed_methods(demo: Site) -> None:
    response = demo.client.delete("/api/v1/branches")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_pages_and_the_api_carry_the_security_headers(demo: Site) -> None:
    for path in ("/book", "/login", "/api/v1/branches", "/api/v1/openapi.json", "/nowhere"):
        response = demo.client.get(path)

        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["x-content-type-options"] == "nosniff", path


def test_a_database_that_is_away_answers_503_with_retry_after() -> None:
    url = unreachable_postgres_url()
    app = create_app(Settings(database_url=url, public_url="http://127.0.0.1"))

    with TestClient(app, raise_server_exceptions=False) as client:
        queue = client.get("/api/v1/branches/hovedbiblioteket/queue")
        ticket = client.post(
            "/api/v1/branches/hovedbiblioteket/tickets",
            json={"service": "flytning"},
            headers={"Authorization": "Bearer some-kiosk-token"},
        )

    for response in (queue, ticket):
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "unavailable"
        assert response.headers["retry-after"] == "5"
