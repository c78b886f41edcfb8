"""Who is calling, for HTTP and websockets alike: one `AuthenticationMiddleware` backend.

A caller presents a bearer token (staff API token or device token) or the staff session
cookie. The backend never refuses on its own: a public route works with a stale token, so a
refusal is left to `require`, which routes and sockets call with the kinds they accept (the
endpoint table does it for every API route). `request.user` is a `Caller` carrying the
`Principal`, or `Anonymous` carrying why presented credentials were not accepted.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    UnauthenticatedUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection

from skranke.queue.accounts import Principal, hash_token, principal_for_token
from skranke.queue.states import PrincipalKind
from skranke.store.engine import Database
from skranke.web.contacts import DeviceContacts
from skranke.web.errors import ApiError
from skranke.web.sessions import SAFE_METHODS, session_csrf_ok, session_principal

# A kiosk sends its token with every ticket; remembering who it is for a few seconds saves a
# database round trip per request. A deleted token therefore works for at most this long.
TOKEN_TTL_SECONDS = 10.0
MAX_CACHED = 10_000
# Our tokens are about 50 characters; a longer one is not worth hashing and looking up.
MAX_TOKEN = 200
NO_BEARER = "Expected 'Authorization: Bearer <token>'"

PUBLIC: frozenset[PrincipalKind] = frozenset()
ADMIN = frozenset({PrincipalKind.ADMIN})
# The administration pages: the municipality's administrators, and managers of their branches.
MANAGER = frozenset({PrincipalKind.MANAGER})
STAFF = frozenset({PrincipalKind.STAFF})
KIOSK = frozenset({PrincipalKind.KIOSK})
KIOSK_OR_STAFF = frozenset({PrincipalKind.KIOSK, PrincipalKind.STAFF})


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

    def forget_device(self, device_id: int) -> None:
        """Forget a deactivated or rotated device at once, not after the TTL (admin pages)."""
        stale = [d for d, (_, who) in self._entries.items() if who and who.device_id == device_id]
        for digest in stale:
            del self._entries[digest]


class Caller(BaseUser):
    def __init__(self, principal: Principal, *, by_session: bool = False) -> None:
        self.principal = principal
        # A page's own call with the session cookie that changes something, but without the
        # session's CSRF header: possibly forged by another site.
        self.csrf_failed = False
        self.by_session = by_session

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.name

    @property
    def identity(self) -> str:
        return f"{self.principal.kind}:{self.principal.name}"


class Anonymous(UnauthenticatedUser):
    def __init__(self, refused: str | None = None) -> None:
        # Why the presented credentials were not accepted; None when there were none.
        self.refused = refused


async def token_principal(app: Starlette, token: str) -> Principal | None:
    """Whose token this is, through the token cache."""
    cache: TokenCache = app.state.tokens
    digest = hash_token(token)
    known, found = cache.get(digest)
    if not known:
        db: Database = app.state.db
        found = await db.read(principal_for_token, token)
        cache.put(digest, found)
    if found is not None and found.device_id is not None:
        # Kiosks and displays: "last contact", written at most once a minute (contacts.py).
        contacts: DeviceContacts | None = getattr(app.state, "contacts", None)
        if contacts is not None:
            contacts.seen(found.device_id)
    return found


def _credentials(user: BaseUser) -> tuple[AuthCredentials, BaseUser]:
    if isinstance(user, Caller):
        return AuthCredentials(["authenticated", user.principal.kind.value]), user
    return AuthCredentials(), user


class SkrankeAuth(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        header = conn.headers.get("authorization", "")
        if not header:
            return _credentials(_from_session(conn))
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
            return _credentials(Anonymous(NO_BEARER))
        found = await token_principal(conn.app, token)
        if found is None:
            return _credentials(Anonymous("Unknown or revoked token"))
        return _credentials(Caller(found))


def _from_session(conn: HTTPConnection) -> BaseUser:
    who = session_principal(conn)
    if who is None:
        return Anonymous()
    caller = Caller(who, by_session=True)
    method = conn.scope.get("method")
    if conn.scope["type"] == "http" and method not in SAFE_METHODS:
        caller.csrf_failed = not session_csrf_ok(conn)
    return caller


def auth_middleware() -> Middleware:
    return Middleware(AuthenticationMiddleware, backend=SkrankeAuth())


def accepts(kinds: Collection[PrincipalKind], kind: PrincipalKind) -> bool:
    # Administrators can do everything managers and staff can; managers what staff can.
    if kind in kinds:
        return True
    if kind == PrincipalKind.ADMIN:
        return PrincipalKind.STAFF in kinds or PrincipalKind.MANAGER in kinds
    return kind == PrincipalKind.MANAGER and PrincipalKind.STAFF in kinds


def _a(kinds: Collection[str]) -> str:
    named = " or ".join(sorted(kinds))
    return f"{'an' if named[:1] in tuple('aeiou') else 'a'} {named}"


def require(conn: HTTPConnection, kinds: Collection[PrincipalKind]) -> Principal:
    """The caller, if it is one of `kinds`; else an ApiError of 401 or 403."""
    user = conn.scope.get("user")
    expected = _a(kinds)
    if not isinstance(user, Caller):
        refused = user.refused if isinstance(user, Anonymous) else None
        raise ApiError(401, "unauthorized", refused or f"Expected {expected} token, but got none")
    if user.csrf_failed:
        raise ApiError(
            403,
            "csrf_failed",
            "Expected the X-CSRF-Token header of this session, but got none or another",
        )
    who = user.principal
    if not accepts(kinds, who.kind):
        raise ApiError(
            403, "forbidden", f"Expected {expected} token, but got {_a([who.kind])} token"
        )
    return who


def caller(conn: HTTPConnection) -> Principal:
    """The principal `require` let through (the endpoint table calls it before the handler)."""
    user = conn.scope.get("user")
    if not isinstance(user, Caller):
        raise ApiError(401, "unauthorized", "Expected a token, but got none")
    return user.principal
