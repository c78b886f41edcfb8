"""Operations: /healthz, /readyz, /metrics, and the middleware that ids and times requests.

/healthz says the process answers and touches nothing. /readyz says whether this process can
do its work: the database answers, the event listener is connected (PostgreSQL only) and the
scheduler's leader is known. Probes and Prometheus call these without a session or token
(unless SKRANKE_METRICS_TOKEN is set), so they must stay cheap.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skranke.displays.bus import PostgresBus
from skranke.store import health
from skranke.store.engine import Database
from skranke.web.endpoints import now_of
from skranke.web.errors import ApiError
from skranke.web.logs import REQUEST_ID, request_id_from
from skranke.web.metrics import Metrics

log = logging.getLogger(__name__)
# A probe that waits longer than this has already told its caller "not ready".
CHECK_SECONDS = 2.0
# Any other method string a client sends is "other": labels must not grow without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


async def _timed(what: Awaitable[Any]) -> Check | None:
    """None if `what` finished within CHECK_SECONDS, else the failed check saying why."""
    try:
        await asyncio.wait_for(what, CHECK_SECONDS)
    except TimeoutError:
        return Check(False, f"no answer within {CHECK_SECONDS:g} s")
    except Exception as exc:  # whatever the driver raises, the answer is "not ready"
        return Check(False, f"{type(exc).__name__}: {exc}"[:300])
    return None


async def database_check(db: Database | None) -> Check:
    if db is None:
        return Check(False, "not started")
    return await _timed(db.read(health.ping)) or Check(True, f"{db.dialect} answers")


def listener_check(app: Starlette) -> Check:
    live = getattr(app.state, "live", None)
    if live is None:
        return Check(False, "not started")
    if not isinstance(live.bus, PostgresBus):
        return Check(True, "not needed: one process, events in memory")
    if live.bus.connected.is_set():
        return Check(True, f"connected (backend pid {live.bus.backend_pid})")
    return Check(False, "not connected; reconnecting")


async def leader_check(app: Starlette) -> Check:
    jobs = getattr(app.state, "jobs", None)
    if jobs is None:
        return Check(True, "scheduler off (SKRANKE_JOBS=off)")
    lock = jobs.lock
    if lock.leader is None:
        # Not looked yet (the first job runs an interval after the start): look now. Shielded,
        # so a look outlasting the probe still finishes and leaves its answer for the next.
        await _timed(asyncio.shield(lock.held()))
    if lock.leader is None:
        return Check(False, "unknown: the lock could not be looked at")
    return Check(True, "this process" if lock.leader else "another process")


async def readiness(app: Starlette) -> dict[str, Check]:
    database, leader = await asyncio.gather(
        database_check(getattr(app.state, "db", None)), leader_check(app)
    )
    return {"database": database, "listener": listener_check(app), "leader": leader}


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    checks = await readiness(request.app)
    shown = {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()}
    failed = [f"{name}: {c.detail}" for name, c in checks.items() if not c.ok]
    if failed:
        body = {"error": "not_ready", "detail": "; ".join(failed), "checks": shown}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ready", "checks": shown})


def check_metrics_token(request: Request) -> None:
    expected: str = request.app.state.settings.metrics_token
    if not expected:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise ApiError(401, "unauthorized", "Expected 'Authorization: Bearer <metrics token>'")


async def metrics(request: Request) -> Response:
    check_metrics_token(request)
    state = request.app.state
    found: list[Any] = []

    async def read() -> None:
        found.extend(await state.db.read(health.queue_now))

    failed = await _timed(read())
    if failed is not None:
        log.warning("Metrics: queue figures not read (%s)", failed.detail)
    registry: Metrics = state.metrics
    registry.refresh(None if failed else found, now_of(request.app), getattr(state, "hub", None))
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)


def routes() -> list[Route]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


class Observe:
    """Outermost middleware: a request id for logs and the answer, and the latency histogram.

    Pure ASGI (`BaseHTTPMiddleware` would buffer bodies and skip websockets). The route is
    the matched template (`/api/v1/counters/{counter}/call-next`), never the raw path, so
    the histogram's series stay few; anything unmatched is "unmatched".
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        rid = request_id_from(headers.get(b"x-request-id", b"").decode("latin-1"))
        reset = REQUEST_ID.set(rid)
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send, rid)
            else:
                await self.app(scope, receive, send)
        finally:
            REQUEST_ID.reset(reset)

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: str) -> None:
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path_format", None) or "unmatched"
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.latency.labels(method, route, str(status)).observe(
                time.perf_counter() - started
            )
