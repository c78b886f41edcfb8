"""Staff sessions: who is logged in, and the CSRF token that every form and cookie call carries.

The session lives in a signed cookie (Starlette's SessionMiddleware: HttpOnly, SameSite=Lax,
Secure when the public URL is https). It holds the user's id, name, role and branches, and a
random CSRF token; a form posts that token back in a hidden field, a page's JavaScript in the
`X-CSRF-Token` header. Nothing is stored on the server, so a changed role or a deactivated
user takes effect at the next login, at the latest after `SESSION_MAX_AGE`.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection

from skranke.config import Settings
from skranke.queue.accounts import Principal, staff_principal
from skranke.queue.states import Role

SESSION_COOKIE = "skranke_session"
# One working day: a counter PC left logged in overnight asks for the password again.
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_middleware(settings: Settings) -> Middleware:
    return Middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.public_url.startswith("https://"),
    )


def session(conn: HTTPConnection) -> dict[str, Any]:
    # Without the middleware (a bare test app) there is simply nobody logged in.
    found: dict[str, Any] = conn.scope.get("session", {})
    return found


def csrf_token(conn: HTTPConnection) -> str:
    data = session(conn)
    if not isinstance(data.get("csrf"), str):
        data["csrf"] = secrets.token_urlsafe(32)
    token: str = data["csrf"]
    return token


def csrf_ok(conn: HTTPConnection, presented: object) -> bool:
    expected = session(conn).get("csrf")
    if not isinstance(expected, str) or not isinstance(presented, str) or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def session_principal(conn: HTTPConnection) -> Principal | None:
    user = session(conn).get("user")
    if not isinstance(user, dict):
        return None
    try:
        branches = [int(b) for b in user["branches"]]
        return staff_principal(int(user["id"]), str(user["name"]), Role(user["role"]), branches)
    except (KeyError, TypeError, ValueError):
        return None


def session_csrf_ok(conn: HTTPConnection) -> bool:
    """Whether a page's JSON call carries its session's CSRF token in the header."""
    return csrf_ok(conn, conn.headers.get(CSRF_HEADER))


def log_in(conn: HTTPConnection, user_id: int, name: str, role: str, branches: list[int]) -> None:
    data = session(conn)
    # A fresh session and token at login: a token planted before login is worth nothing.
    data.clear()
    data["user"] = {"id": user_id, "name": name, "role": role, "branches": branches}
    data["csrf"] = secrets.token_urlsafe(32)


def log_out(conn: HTTPConnection) -> None:
    session(conn).clear()
