"""Who is calling the API: staff by API token, kiosks and displays by device token."""

from __future__ import annotations

from starlette.requests import Request

from skranke.db import Database
from skranke.queue.accounts import Principal, principal_for_token
from skranke.web.errors import ApiError


async def principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Expected 'Authorization: Bearer <token>'")
    db: Database = request.app.state.db
    found = await db.read(principal_for_token, token.strip())
    if found is None:
        raise ApiError(401, "unauthorized", "Unknown or revoked token")
    return found


async def require(request: Request, *kinds: str) -> Principal:
    """The caller, if it is one of `kinds` ("staff", "kiosk", "display"); else 401/403."""
    expected = " or ".join(kinds)
    who = await principal(request)
    if who is None:
        raise ApiError(401, "unauthorized", f"Expected a {expected} token, but got none")
    if who.kind not in kinds:
        raise ApiError(403, "forbidden", f"Expected a {expected} token, but got a {who.kind} token")
    return who
