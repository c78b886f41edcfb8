"""`/counter/book`: staff book a time for a citizen (on the phone, at the desk), issue 11 item 5.

A plain page reached from the counter page, usable without JavaScript: choose the errand and
the day (a GET form), then a free time and the citizen's details (a POST form with the
session's CSRF token). It offers the slots `/book` offers and books through the same use case
(`bookings.book_for_citizen` calls `bookings.book`): the same limits per contact, the same
confirmation by e-mail or SMS through the outbox; the booking records who made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue import booking_slots, bookings
from skranke.queue.accounts import Principal
from skranke.queue.errors import InvalidInput
from skranke.queue.slots import Slot
from skranke.store import Conn, Record, pages
from skranke.web.booking_form import FormError, read_contact
from skranke.web.endpoints import ctx
from skranke.web.inputs import in_window
from skranke.web.sessions import csrf_ok, csrf_token, session_principal
from skranke.web.templating import language, render

FIELDS = ("service", "day", "start", "name", "email", "phone", "language")
# What the booking use case refused, as the page says it.
REFUSALS = {
    "slot_taken": "book.error.taken",
    "booking_limit": "book.error.limit",
    "invalid_input": "book.staff.error.time",
}


@dataclass(frozen=True)
class BookingDesk:
    """What the page shows: the counter, its branch's bookable errands, and free times."""

    counter: dict[str, Any]
    services: list[Record]
    service: Record | None = None
    days: list[date] = field(default_factory=list)
    day: date | None = None
    times: list[Slot] = field(default_factory=list)


def desk(
    conn: Conn, who: Principal, counter_id: str, service_key: str, day: str, now: datetime
) -> BookingDesk | None:
    """The page's data; None when the counter is not one of the staff member's branches."""
    counters = pages.counters_with_branch(conn, who.branch_ids)
    counter = next((c for c in counters if str(c["id"]) == counter_id), None)
    if counter is None:
        return None
    services = [
        s for s in booking_slots.bookable_services(conn) if s.branch_key == counter["branch_key"]
    ]
    service = next((s for s in services if s.key == service_key), None)
    if service is None:
        return BookingDesk(counter, services)
    _, found = booking_slots.slots_between(conn, service.branch_key, service.key, now)
    days = sorted({slot.start.astimezone(_tz(service)).date() for slot in found})
    chosen = _day(day, days)
    times = [s for s in found if s.start.astimezone(_tz(service)).date() == chosen]
    return BookingDesk(counter, services, service, days, chosen, times)


def _tz(service: Record) -> ZoneInfo:
    return ZoneInfo(service.timezone)


def _day(raw: str, days: list[date]) -> date | None:
    try:
        wanted = date.fromisoformat(raw)
    except ValueError:
        wanted = None
    return wanted if wanted in days else (days[0] if days else None)


def read_form(values: dict[str, str]) -> tuple[bookings.Contact | None, datetime | None, list[str]]:
    """The citizen and the time, and every problem at once (catalogue keys)."""
    start = _start(values.get("start", ""))
    errors = [] if start is not None else ["book.staff.error.time"]
    try:
        # The same reading of name, e-mail and phone as the citizen's own form on /book.
        who = read_contact({f: values.get(f, "") for f in FIELDS}, values.get("language", "da"))
    except FormError as exc:
        return None, start, errors + exc.keys
    return (None if errors else who), start, errors


def _start(raw: str) -> datetime | None:
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return start if start.tzinfo is not None and in_window(start) else None


def _login(request: Request) -> Response:
    here = quote(f"{request.url.path}?{request.url.query}".rstrip("?"), safe="")
    return RedirectResponse(f"/login?next={here}", status_code=303)


def _page(
    request: Request,
    found: BookingDesk,
    values: dict[str, str],
    errors: list[str],
    status: int = 200,
) -> Response:
    context = {
        "who": session_principal(request),
        "csrf": csrf_token(request),
        "desk": found,
        "counter": found.counter,
        "values": values,
        "errors": errors,
    }
    return render(request, "staff_book.html", context, status_code=status)


async def booking_desk(request: Request) -> Response:
    who = session_principal(request)
    if who is None:
        return _login(request)
    db, _, now = ctx(request)
    q = request.query_params
    found = await db.read(
        desk, who, q.get("counter", ""), q.get("service", ""), q.get("day", ""), now
    )
    if found is None:
        return render(request, "error.html", {"status": 404}, status_code=404)
    return _page(request, found, {"language": language(request)}, [])


async def book_for_citizen(request: Request) -> Response:
    who = session_principal(request)
    if who is None:
        return _login(request)
    db, _, now = ctx(request)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    found = await db.read(
        desk, who, values.get("counter", ""), values.get("service", ""), values.get("day", ""), now
    )
    if found is None or found.service is None:
        return render(request, "error.html", {"status": 404}, status_code=404)
    if not csrf_ok(request, values.get("csrf")):
        return _page(request, found, values, ["book.error.csrf"], 403)
    who_for, start, errors = read_form(values)
    if who_for is None or start is None:
        return _page(request, found, values, errors, 422)
    return await _booked(request, who, found, values, who_for, start)


async def _booked(
    request: Request,
    who: Principal,
    found: BookingDesk,
    values: dict[str, str],
    citizen: bookings.Contact,
    start: datetime,
) -> Response:
    db, _, now = ctx(request)
    service = found.service
    assert service is not None
    limit = request.app.state.settings.max_bookings_per_contact
    book = bookings.book_for_citizen
    try:
        info = await db.write(
            book, who, service.branch_key, service.key, start, citizen, now, max_per_contact=limit
        )
    except (booking_slots.SlotTaken, bookings.BookingLimit, InvalidInput) as exc:
        return _page(request, found, values, [REFUSALS[exc.code]], 409)
    context = {"who": who, "csrf": csrf_token(request), "counter": found.counter, "info": info}
    return render(request, "staff_book_done.html", context, status_code=201)


def routes() -> list[Route]:
    return [
        Route("/counter/book", booking_desk, methods=["GET"]),
        Route("/counter/book", book_for_citizen, methods=["POST"]),
    ]
