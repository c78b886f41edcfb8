"""The endpoint table's row type, and what every API handler reaches for: JSON, db, clock.

Each feature module (api, booking_api, live_api) lists its `Endpoint` rows; the table is
what is routed, what is enforced (`auth`: the principal kinds a route accepts, checked before
its handler runs) and what the OpenAPI document describes, so the three cannot disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from skranke.queue.states import PrincipalKind
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database
from skranke.web import inputs  # noqa: F401  (registers the `{name:id}` path convertor)
from skranke.web.auth import PUBLIC, require

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    # The principal kinds accepted; empty for a public route.
    auth: frozenset[PrincipalKind] = PUBLIC
    body: type[BaseModel] | None = None
    returns: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    # Error bodies that carry more than {"error", "detail"}, by status.
    error_bodies: Mapping[int, Any] = field(default_factory=dict)
    # A status answered without a body, and why (call-next: nobody waits).
    empty: tuple[int, str] | None = None


def guarded(handler: Handler, kinds: Collection[PrincipalKind]) -> Handler:
    """`handler`, run only for a caller of one of `kinds` (401/403 otherwise)."""
    if not kinds:
        return handler

    @functools.wraps(handler)
    async def checked(request: Request) -> Response:
        require(request, kinds)
        return await handler(request)

    return checked


def route(e: Endpoint) -> Route:
    return Route(e.path, guarded(e.handler, e.auth), methods=[e.method])


@functools.cache
def adapter(of: Any) -> TypeAdapter[Any]:
    return TypeAdapter(of)


def json(value: Any, status: int = 200, of: Any = None) -> Response:
    """Serialise through the public schema, so a field it lacks can never leak out."""
    if isinstance(value, BaseModel):
        content = value.__pydantic_serializer__.to_json(value)
    else:
        shape = adapter(of)
        content = shape.dump_json(shape.validate_python(value))
    return Response(content, status_code=status, media_type="application/json")


def now_of(app: ASGIApp) -> datetime:
    """The app's clock: tests and the demo set `app.state.clock`; otherwise the real time."""
    clock = getattr(getattr(app, "state", None), "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def ctx(request: Request) -> tuple[Database, QueuePolicy, datetime]:
    state = request.app.state
    return state.db, state.policy, now_of(request.app)
