"""The staff login and logout pages, with CSRF-protected forms and rate-limited attempts."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue.accounts import authenticate
from skranke.queue.states import Role
from skranke.store.engine import Database
from skranke.web.inputs import control_character
from skranke.web.sessions import CSRF_FIELD, csrf_ok, csrf_token, log_in, log_out
from skranke.web.sessions import session_principal as logged_in
from skranke.web.templating import render

# Failed logins allowed per user name and address within the window; each try costs an
# argon2 hash, so guessing is slow already, and this stops it for a while.
FAILURES_ALLOWED = RateLimitItemPerMinute(5, 15)
# Failed logins allowed per address whatever the user name: one machine guessing 4 times
# each at 8 names stayed under the per-name limit. A branch's staff behind one office
# address mistype far less than this in a quarter of an hour.
ADDRESS_FAILURES_ALLOWED = RateLimitItemPerMinute(20, 15)
MAX_FIELD = 200


@dataclass(frozen=True)
class LoginLimits:
    per_user: RateLimitItem = FAILURES_ALLOWED
    per_address: RateLimitItem = ADDRESS_FAILURES_ALLOWED
    # More failures than this in a minute, from all addresses together, is a guessing run
    # spread over many addresses; every further failure is then answered `delay_step`
    # seconds later than the one before, up to `delay_cap` (a person who mistyped waits at
    # most that long once).
    busy_per_minute: int = 30
    delay_step: float = 0.25
    delay_cap: float = 10.0


class LoginLimiter:
    """Counts failed logins per user name and address, per address, and in all (per process)."""

    def __init__(self, limits: LoginLimits | None = None) -> None:
        self.limits = limits or LoginLimits()
        self._window = MovingWindowRateLimiter(MemoryStorage())
        # Counted only as far as the delay still grows, so the memory held stays small.
        counted = self.limits.busy_per_minute + math.ceil(
            self.limits.delay_cap / self.limits.delay_step
        )
        self._all = RateLimitItemPerMinute(counted + 1)

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self.limits.per_user, f"user:{username.lower()}|{address}"),
            (self.limits.per_address, f"address:{address}"),
        ]

    def wait_minutes(self, username: str, address: str) -> int:
        """Minutes until another try is allowed; 0 when it is allowed now."""
        blocked = [
            self._window.get_window_stats(item, key).reset_time
            for item, key in self._keys(username, address)
            if not self._window.test(item, key)
        ]
        if not blocked:
            return 0
        return max(1, math.ceil((max(blocked) - time.time()) / 60))

    def failed(self, username: str, address: str) -> float:
        """Counts a failure; returns the seconds its answer should wait (0 when not busy)."""
        for item, key in self._keys(username, address):
            self._window.hit(item, key)
        self._window.hit(self._all, "all")
        recent = self._all.amount - self._window.get_window_stats(self._all, "all").remaining
        over = recent - self.limits.busy_per_minute
        return min(self.limits.delay_cap, over * self.limits.delay_step) if over > 0 else 0.0

    def succeeded(self, username: str, address: str) -> None:
        # Only the name's count: one valid account must not wipe an address's failures.
        item, key = self._keys(username, address)[0]
        self._window.clear(item, key)


def limiter(request: Request) -> LoginLimiter:
    state = request.app.state
    if not hasattr(state, "login_limiter"):
        state.login_limiter = LoginLimiter()
    found: LoginLimiter = state.login_limiter
    return found


def safe_next(value: object, default: str = "/counter") -> str:
    # Only a path on this site: a crafted link must not send staff elsewhere after login.
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def landing(role: Role) -> str:
    """Where a login without a `next` leads: administrators and managers to /admin."""
    return "/admin" if role in (Role.ADMIN, Role.MANAGER) else "/counter"


def login_form(
    request: Request, error: str | None = None, status: int = 200, **values: str
) -> Response:
    context = {
        "csrf": csrf_token(request),
        "error": error,
        "minutes": values.get("minutes", ""),
        "next": safe_next(request.query_params.get("next") or values.get("next"), ""),
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
    address = request.client.host if request.client else "-"
    wait = limiter(request).wait_minutes(username, address)
    if wait:
        return login_form(request, "login.error_rate", 429, minutes=str(wait), **again)
    db: Database = request.app.state.db
    # A control character is in no user name (and PostgreSQL refuses NUL): simply wrong.
    plausible = username and password and control_character(username) is None
    user = await db.read(authenticate, username, password) if plausible else None
    if user is None:
        delay = limiter(request).failed(username, address)
        # Late while many logins fail at once, so guesses from many addresses come slowly.
        await asyncio.sleep(delay)
        error = "login.error_busy" if delay else "login.error_wrong"
        return login_form(request, error, 401, **again)
    limiter(request).succeeded(username, address)
    log_in(request, user.id, user.username, user.role, user.branch_ids)
    return RedirectResponse(safe_next(form.get("next"), landing(user.role)), status_code=303)


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
