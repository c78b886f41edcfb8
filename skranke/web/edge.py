"""What every HTTP request meets first: a body size limit, the security headers, and a URL
without control characters (`Edge`: all three in one layer).

Both are pure ASGI middleware: `BaseHTTPMiddleware` would buffer bodies and skip websockets.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skranke.web.inputs import control_character

# A ticket, a booking or a login is a few hundred bytes; the largest form is far below this.
MAX_BODY_BYTES = 64 * 1024

# The pages load their own scripts and styles only, never inline code; `<script
# type="application/json">` data blocks are not scripts and need no exception. Nobody may
# frame a page: a framed counter page could be click-jacked (a wall display is a full-screen
# browser of its own, never an iframe).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_security_headers(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_security_headers(message: Message) -> None:
    present = {name.lower() for name, _ in message.get("headers", [])}
    extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
    message["headers"] = [*message.get("headers", []), *extra]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a body over `limit` bytes with 413 while it streams in, never reading it whole."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.limit)


class CleanUrl:
    """Refuse a path or query with a control character (`%00` and the like) with 422.

    Checked once here for every route, HTTP and websocket, pages and API: no key, token or
    date of ours has one, and PostgreSQL would answer a NUL bound as text with an error.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
        elif await _url_refused(scope, send):
            return
        else:
            await self.app(scope, receive, send)


async def _url_refused(scope: Scope, send: Send) -> bool:
    """Refuse (and say True) if the URL has a control character."""
    # Raw bytes and %-escapes alike are UTF-8, as Starlette reads the query later.
    query = unquote_plus(scope.get("query_string", b"").decode("utf-8", "replace"))
    url = scope["path"] + query
    # Printable text has no control character (nor a surrogate): one C call for nearly
    # every request instead of a category lookup per character.
    bad = None if url.isprintable() else control_character(url)
    if bad is None:
        return False
    if scope["type"] == "websocket":
        # Closing before the handshake is answered is an HTTP 403 to the client.
        await send({"type": "websocket.close", "code": 1008})
    else:
        detail = f"Expected a URL without control characters, but got U+{ord(bad):04X}"
        await _refuse(send, 422, "invalid_request", detail)
    return True


class Edge:
    """`SecurityHeaders`, `CleanUrl` and `BodyLimit` as one layer, the way the app runs them.

    Every ASGI layer costs the event loop a coroutine per request and a wrapper call per
    message sent; on the kiosk's ticket path four small layers were a measurable share of the
    server's time (docs/performance.md). Same answers as the three stacked in that order.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            if not await _url_refused(scope, send):
                await self.app(scope, receive, send)
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def edge_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _add_security_headers(message)
            await send(message)

        if await _url_refused(scope, edge_send):
            return
        limit = self.limit
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if value.isdigit() and int(value) > limit:
                    await _too_large(edge_send, limit)
                    return
                break
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, edge_send)
        except BodyTooLarge:
            if not started:
                await _too_large(edge_send, limit)


async def _too_large(send: Send, limit: int) -> None:
    await _refuse(send, 413, "too_large", f"Expected a body of at most {limit} bytes")


async def _refuse(send: Send, status: int, error: str, detail: str) -> None:
    body = json.dumps({"error": error, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
