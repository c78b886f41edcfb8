"""The staff login and logout pages, with CSRF-protected forms and rate-limited attempts."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue.accounts import authenticate
from skranke.store.engine import Database
from skranke.web.sessions import CSRF_FIELD, csrf_ok, csrf_token, log_in, log_out
from skranke.web.sessions import session_principal as logged_in
from skranke.web.templating import render

# Failed logins allowed per user name and address within the window; each try costs an
# argon2 hash, so guessing is slow already, and this stops it for a while.
FAILURES_ALLOWED = RateLimitItemPerMinute(5, 15)
MAX_FIELD = 200


class LoginLimiter:
    """Counts failed logins per user name and client address (per server process)."""

    def __init__(self) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())

    def wait_minutes(self, key: str) -> int:
        """Minutes until another try is allowed; 0 when it is allowed now."""
        if self._window.test(FAILURES_ALLOWED, key):
            return 0
        reset_at = self._window.get_window_stats(FAILURES_ALLOWED, key).reset_time
        return max(1, math.ceil((reset_at - time.time()) / 60))

    def failed(self, key: str) -> None:
        self._window.hit(FAILURES_ALLOWED, key)

    def succeeded(self, key: str) -> None:
        self._window.clear(FAILURES_ALLOWED, key)


def limiter(request: Request) -> LoginLimiter:
    state = request.app.state
    if not hasattr(state, "login_limiter"):
        state.login_limiter = LoginLimiter()
    found: LoginLimiter = state.login_limiter
    return found


def safe_next(value: object) -> str:
    # Only a path on this site: a crafted link must not send staff elsewhere after login.
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/counter"


def login_form(
    request: Request, error: str | None = None, status: int = 200, **values: str
) -> Response:
    context = {
        "csrf": csrf_token(request),
        "error": error,
        "minutes": values.get("minutes", ""),
        "next": safe_next(request.query_params.get("next") or values.get("next")),
        "username": values.get("username", ""),
        "logged_out": request.query_params.get("out") == "1",
    }
    return render(request, "login.html", context, status_code=status)


async def login_page(request: Request) -> Response:
    return login_form(request)


async def login_submit(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", ""))[:MAX_FIELD].strip()
    password = str(form.get("password", ""))[:MAX_FIELD]
    again = {"username": username, "next": str(form.get("next", ""))}
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return login_form(request, "login.error_csrf", 400, **again)
    key = f"{username.lower()}|{request.client.host if request.client else '-'}"
    wait = limiter(request).wait_minutes(key)
    if wait:
        return login_form(request, "login.error_rate", 429, minutes=str(wait), **again)
    db: Database = request.app.state.db
    user = await db.read(authenticate, username, password) if username and password else None
    if user is None:
        limiter(request).failed(key)
        return login_form(request, "login.error_wrong", 401, **again)
    limiter(request).succeeded(key)
    log_in(request, user.id, user.username, user.role, user.branch_ids)
    return RedirectResponse(safe_next(form.get("next")), status_code=303)


async def logout_page(request: Request) -> Response:
    if logged_in(request) is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "logout.html", {"csrf": csrf_token(request)})


async def logout_submit(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        context = {"csrf": csrf_token(request), "error": "login.error_csrf"}
        return render(request, "logout.html", context, status_code=400)
    log_out(request)
    return RedirectResponse("/login?out=1", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout_page, methods=["GET"]),
        Route("/logout", logout_submit, methods=["POST"]),
    ]
