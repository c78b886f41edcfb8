"""The edge: bodies limited while they stream, security headers on every response."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from skranke.web.edge import BodyLimit, Edge, SecurityHeaders
from tests.conftest import ServerThread


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"read": len(body)})


def tiny_app(layers: str) -> Starlette:
    if layers == "one":  # as the app runs them
        middleware = [Middleware(Edge, limit=1000)]
    else:
        middleware = [Middleware(SecurityHeaders), Middleware(BodyLimit, limit=1000)]
    return Starlette(routes=[Route("/echo", echo, methods=["POST"])], middleware=middleware)


@pytest.fixture(params=["one", "stacked"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerThread]:
    with ServerThread(tiny_app(request.param)) as running:
        yield running


def test_a_body_within_the_limit_is_read(server: ServerThread) -> None:
    response = httpx.post(f"{server.url}/echo", content=b"x" * 1000)

    assert response.status_code == 200 and response.json() == {"read": 1000}


def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(server: ServerThread) -> None:
    # Send only the head: a server that waited for the 200 MB body would never answer.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000000\r\n"
            b"Content-Type: application/json\r\n\r\n"
        )
        answer = sock.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error": "too_large"' in answer


def test_a_streamed_body_is_cut_off_as_soon_as_it_passes_the_limit(server: ServerThread) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(10_000):
            sent += 500
            yield b"y" * 500

    response = httpx.post(f"{server.url}/echo", content=chunks())

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert sent < 5_000_000


def test_every_response_carries_the_security_headers(server: ServerThread) -> None:
    for response in (
        httpx.post(f"{server.url}/echo", content=b"{}"),
        httpx.get(f"{server.url}/nowhere"),
        httpx.post(f"{server.url}/echo", content=b"z" * 2000),
    ):
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
