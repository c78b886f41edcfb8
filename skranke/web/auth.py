"""Who is calling the API: staff by token or session, kiosks and displays by device token."""

from __future__ import annotations

import time

from starlette.requests import Request

from skranke.queue.accounts import Principal, hash_token, principal_for_token
from skranke.store.engine import Database
from skranke.web.errors import ApiError
from skranke.web.sessions import api_session_principal

# A kiosk sends its token with every ticket; remembering who it is for a few seconds saves a
# database round trip per request. A deleted token therefore works for at most this long.
TOKEN_TTL_SECONDS = 10.0
MAX_CACHED = 10_000


class TokenCache:
    def __init__(self, ttl: float = TOKEN_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal | None]] = {}

    def get(self, digest: str) -> tuple[bool, Principal | None]:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, digest: str, who: Principal | None) -> None:
        if len(self._entries) >= MAX_CACHED:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.ttl, who)

    def clear(self) -> None:
        self._entries.clear()


async def principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header:
        # A page's own calls: the staff session cookie, with the CSRF header when changing.
        return api_session_principal(request)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "Expected 'Authorization: Bearer <token>'")
    cache: TokenCache = request.app.state.tokens
    digest = hash_token(token)
    known, found = cache.get(digest)
    if not known:
        db: Database = request.app.state.db
        found = await db.read(principal_for_token, token)
        cache.put(digest, found)
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
