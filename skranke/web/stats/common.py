"""What the statistics, supervisor and audit pages share: who may look, and the period asked.

Pages are for administrators and managers (a manager sees their own branches only); the
login page for nobody logged in, a 403 page for staff. The API rows use the same kinds
through the endpoint table.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from skranke.queue.accounts import Principal
from skranke.queue.errors import InvalidInput
from skranke.web.auth import MANAGER, accepts
from skranke.web.inputs import FIRST_YEAR, LAST_YEAR, WINDOW
from skranke.web.sessions import session_principal
from skranke.web.templating import render

ZONE = "Europe/Copenhagen"


def manager(request: Request) -> Principal | Response:
    """The logged-in administrator or manager, or the page to answer instead."""
    who = session_principal(request)
    if who is None:
        here = quote(f"{request.url.path}?{request.url.query}".rstrip("?"), safe="")
        return RedirectResponse(f"/login?next={here}", status_code=303)
    if not accepts(MANAGER, who.kind):
        return render(request, "stats/message.html", {"who": who, "status": 403}, status_code=403)
    return who


def parse_day(text: str | None, name: str, default: date) -> date:
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            f"{name}: Expected a date like 2026-11-24 within {WINDOW}, but got {text[:40]!r}"
        )
    return day


def period(conn: HTTPConnection, now: datetime) -> tuple[str | None, date, date]:
    """`?branch=&from=&to=`: a branch key (None: all), and local days (default: this month)."""
    today = now.astimezone(ZoneInfo(ZONE)).date()
    q = conn.query_params
    first = parse_day(q.get("from"), "from", today.replace(day=1))
    last = parse_day(q.get("to"), "to", today)
    return (q.get("branch") or None), first, last


def number(value: float | int | None, lang: str, digits: int = 1) -> str:
    """A figure as people of `lang` write it ("10,5" in Danish); a dash for none."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits and value != int(value) else "")
    return format_decimal(value, format=pattern, locale="da_DK" if lang == "da" else "en_GB")
