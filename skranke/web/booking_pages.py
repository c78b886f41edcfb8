"""The booking pages `/book`: errand → month → day → form. Plain links and forms, no JS needed."""

from __future__ import annotations

import calendar as cal
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue import booking_slots, bookings
from skranke.queue.errors import DomainError, InvalidInput
from skranke.queue.slots import Slot
from skranke.web import booking_manage as manage
from skranke.web.booking_form import ERROR_FIELD, FormError, read_booking_form
from skranke.web.booking_manage import render_booking
from skranke.web.booking_support import allow_booking, manage_token
from skranke.web.endpoints import ctx, now_of
from skranke.web.inputs import WINDOW, in_window
from skranke.web.sessions import csrf_token
from skranke.web.templating import language, templates

Page = Callable[[Request], Awaitable[Response]]
FIELDS = ("name", "email", "phone", "consent")


def clock(moment: datetime, timezone: str | None = None) -> str:
    return f"{moment.astimezone(ZoneInfo(timezone)) if timezone else moment:%H:%M}"


def long_date(day: date, lang: str) -> str:
    return format_date(day, "EEEE d. MMMM y" if lang == "da" else "EEEE d MMMM y", locale=lang)


def month_title(day: date, lang: str) -> str:
    return format_date(day, "LLLL y", locale=lang).capitalize()


def weekday(day: date, lang: str, pattern: str) -> str:
    return format_date(day, pattern, locale=lang).capitalize()


def local_text(row: Any, lang: str, field: str = "name", prefix: str = "") -> str:
    """A service's name (or what to bring) in `lang`: its own translation (the `names` /
    `what_to_bring` JSON of the administration), else Danish or English."""
    own = (getattr(row, {"name": "names"}.get(field, field), None) or {}).get(lang)
    if own and lang not in ("da", "en"):
        return str(own)
    return str(getattr(row, f"{prefix}{field}_{'da' if lang == 'da' else 'en'}") or "")


# The booking templates format dates and names in the page's language with these.
templates.env.globals.update(
    clock=clock,
    long_date=long_date,
    month_title=month_title,
    weekday=weekday,
    tz=ZoneInfo,
    local_text=local_text,
)


def page(handler: Page) -> Page:
    """A domain error on a page becomes a readable page, never JSON or a 500."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except DomainError as exc:
            status = 404 if exc.code == "not_found" else 409 if exc.code == "conflict" else 422
            # The citizen reads a sentence in the page's language, never the domain's English.
            detail = PAGE_REASONS.get(exc.reason or "") or PAGE_ERRORS.get(exc.code)
            detail = detail or "book.error.page"
            return message(request, "book.error.title", detail, status)

    return wrapped


PAGE_REASONS = {
    "not_bookable": "book.error.not_bookable",
    "unknown_service": "book.error.unknown",
}
PAGE_ERRORS = {
    "not_found": "book.error.unknown",
    "invalid_input": "book.error.address",
    "conflict": "book.error.page",
}


def message(
    request: Request, title: str, detail: str, status: int, back: str | None = None
) -> Response:
    context = {"title": title, "detail": detail, "back": back}
    return render_booking(request, "book_message.html", context, status_code=status)


def _day_problem(service: Any, day: date, now: datetime) -> str | None:
    """Why a day in the address can never have times: gone, or past the booking window."""
    today = now.astimezone(ZoneInfo(service.timezone)).date()
    if day < today:
        return "book.error.past_day"
    if day > today + timedelta(days=booking_slots.rules_of(service).advance_days):
        return "book.error.too_far"
    return None


def flow_url(request: Request, *parts: str, **query: str) -> str:
    """A URL within the flow that carries `?move=` along when a booking is being moved."""
    move = request.query_params.get("move")
    params = {k: v for k, v in {**query, "move": move or ""}.items() if v}
    path = "/book/" + "/".join(parts)
    return f"{path}?{urlencode(params)}" if params else path


async def _slots(request: Request) -> tuple[Any, list[Slot]]:
    db, _, now = ctx(request)
    branch, key = request.path_params["branch"], request.path_params["service"]
    service, found = await db.read(booking_slots.slots_between, branch, key, now)
    return service, found


@page
async def choose_service(request: Request) -> Response:
    db, _, _ = ctx(request)
    services = await db.read(booking_slots.bookable_services)
    return render_booking(request, "book_services.html", {"services": services, "step": 1})


@page
async def month_view(request: Request) -> Response:
    service, found = await _slots(request)
    free: dict[date, int] = {}
    for slot in found:
        free[slot.start.date()] = free.get(slot.start.date(), 0) + 1
    month = _month(request.query_params.get("month"), min(free, default=None))
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    nav = _month_nav(request, service, month, found)
    day_link = {d: flow_url(request, service.branch_key, service.key, d.isoformat()) for d in free}
    context = {"service": service, "month": month, "weeks": weeks, "free": free}
    return render_booking(
        request, "book_month.html", {**context, **nav, "day_link": day_link, "step": 2}
    )


@page
async def day_view(request: Request) -> Response:
    service, found = await _slots(request)
    try:
        day = date.fromisoformat(request.path_params["day"])
    except ValueError:
        return message(request, "book.error.title", "book.error.day", 404)
    if not in_window(day):
        return message(request, "book.error.title", "book.error.day", 404)
    back = flow_url(request, service.branch_key, service.key, month=f"{day:%Y-%m}")
    problem = _day_problem(service, day, now_of(request.app))
    if problem:
        calendar = flow_url(request, service.branch_key, service.key)
        return message(request, "book.error.title", problem, 404, back=calendar)
    times = [
        (
            slot,
            flow_url(
                request, service.branch_key, service.key, "form", start=slot.start.isoformat()
            ),
        )
        for slot in found
        if slot.start.date() == day
    ]
    context = {"service": service, "day": day, "times": times, "back": back, "step": 3}
    return render_booking(request, "book_day.html", context)


@page
async def form_view(request: Request) -> Response:
    service, found = await _slots(request)
    slot = _chosen(request, found)
    if slot is None:
        return message(request, "book.error.title", "book.error.gone", 409)
    return _form(request, service, slot, {}, [])


@page
async def submit_booking(request: Request) -> Response:
    db, _, now = ctx(request)
    service, found = await _slots(request)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    slot = _chosen_value(values.get("start", ""), service, found)
    try:
        who, start = read_booking_form(request, values, language(request))
        if not allow_booking(request):
            raise FormError("book.error.rate", status=429)
        limit = request.app.state.settings.max_bookings_per_contact
        info = await db.write(
            bookings.book, service.branch_key, service.key, start, who, now, max_per_contact=limit
        )
    except FormError as exc:
        return _form(request, service, slot, values, exc.keys, status=exc.status)
    except booking_slots.SlotTaken as exc:
        return _form(request, service, slot, values, ["book.error.taken"], exc.nearest, 409)
    except bookings.BookingLimit:
        return _form(request, service, slot, values, ["book.error.limit"], status=409)
    token = manage_token(request.app.state.settings, info.code)
    return RedirectResponse(f"/booking/{token}?new=1", status_code=303)


def _form(
    request: Request,
    service: Any,
    slot: Slot | None,
    values: dict[str, str],
    errors: list[str],
    nearest: list[Slot] | None = None,
    status: int = 200,
) -> Response:
    alternatives = [
        (s, flow_url(request, service.branch_key, service.key, "form", start=s.start.isoformat()))
        for s in nearest or []
    ]
    context = {
        "service": service,
        "slot": slot,
        "values": values,
        "errors": errors,
        # field -> its error keys, shown beside the field and linked from the summary.
        "field_errors": {
            field: [k for k in errors if ERROR_FIELD.get(k) == field] for field in FIELDS
        },
        "error_field": ERROR_FIELD,
        "alternatives": alternatives,
        "csrf": csrf_token(request),
        "move": request.query_params.get("move"),
        "retention_days": request.app.state.settings.retention_days,
        "step": 4,
    }
    return render_booking(request, "book_form.html", context, status_code=status)


def _chosen(request: Request, found: list[Slot]) -> Slot | None:
    return _chosen_value(request.query_params.get("start", ""), None, found)


def _chosen_value(raw: str, service: Any, found: list[Slot]) -> Slot | None:
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if not in_window(start):
        # No slot is that far off, and comparing near year 1 or 9999 could overflow.
        return None
    return next((slot for slot in found if slot.start == start), None)


def _month(raw: str | None, first_free: date | None) -> date:
    try:
        month = date.fromisoformat(f"{raw}-01") if raw else None
    except ValueError:
        month = None  # an unreadable month shows the first one with free times
    if month is None:
        return (first_free or date.today()).replace(day=1)
    # The page links a month either way: from year 1 or 9999 that would overflow.
    if not in_window(month):
        raise InvalidInput(f"month: Expected a month from {WINDOW}, but got {raw!r}")
    return month


def _month_nav(request: Request, service: Any, month: date, found: list[Slot]) -> dict[str, Any]:
    last = max((s.start.date() for s in found), default=month)
    prev_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    first = min((s.start.date() for s in found), default=month).replace(day=1)

    def link(m: date) -> str:
        return flow_url(request, service.branch_key, service.key, month=f"{m:%Y-%m}")

    return {
        "prev_link": link(prev_month) if prev_month >= first else None,
        "next_link": link(next_month) if next_month <= last else None,
    }


def routes() -> list[Route]:
    return [
        Route("/book", choose_service, methods=["GET"]),
        *manage.routes(),
        Route("/book/{branch}/{service}", month_view, methods=["GET"]),
        Route("/book/{branch}/{service}/form", form_view, methods=["GET"]),
        Route("/book/{branch}/{service}/form", submit_booking, methods=["POST"]),
        Route("/book/{branch}/{service}/{day}", day_view, methods=["GET"]),
    ]
