"""Behind the signed link `/booking/{token}`: the confirmation, .ics, cancel and move."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue import booking_slots, bookings
from skranke.queue.errors import DomainError
from skranke.queue.states import BOOKING_LANGUAGES
from skranke.store.engine import Database
from skranke.web.booking_api import after_booking, booking_calendar
from skranke.web.booking_form import FormError, check_csrf, read_start
from skranke.web.booking_support import code_from_token, qr_svg
from skranke.web.endpoints import ctx, now_of
from skranke.web.sessions import csrf_token
from skranke.web.templating import render


def render_booking(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A booking page: offered in Danish, English, Ukrainian and Arabic."""
    return render(request, name, context, status_code=status_code, languages=BOOKING_LANGUAGES)


def _code(request: Request) -> str | None:
    return code_from_token(request.app.state.settings, request.path_params["token"])


def _expired(request: Request) -> Response:
    context = {"title": "book.error.title", "detail": "book.error.link"}
    return render_booking(request, "book_message.html", context, status_code=403)


async def _booking(request: Request) -> bookings.BookingInfo | None:
    """The booking the signed link names, or None when the link is forged, old or gone."""
    code = _code(request)
    if code is None:
        return None
    db: Database = request.app.state.db
    try:
        return await db.read(bookings.booking_info, code)
    except DomainError:
        return None


async def show(request: Request) -> Response:
    info = await _booking(request)
    if info is None:
        return _expired(request)
    now = now_of(request.app)
    token = request.path_params["token"]
    context = {
        "info": info,
        "token": token,
        "qr": qr_svg(info.code, f"QR: {info.code}"),
        "csrf": csrf_token(request),
        "changeable": info.state == "booked" and info.start > now,
        "move_link": f"/book/{info.branch_key}/{info.service_key}?{urlencode({'move': token})}",
        "notice": next(
            (k for k in ("new", "cancelled", "moved") if k in request.query_params), None
        ),
    }
    return render_booking(request, "book_done.html", context)


async def confirm_cancel(request: Request) -> Response:
    """Asks before cancelling; the booking page links here, and only this page's form cancels."""
    info = await _booking(request)
    if info is None:
        return _expired(request)
    if info.state != "booked" or info.start <= now_of(request.app):
        return RedirectResponse(f"/booking/{request.path_params['token']}", status_code=303)
    context = {"info": info, "token": request.path_params["token"], "csrf": csrf_token(request)}
    return render_booking(request, "book_cancel.html", context)


async def cancel(request: Request) -> Response:
    return await _change(request, "cancelled")


async def move(request: Request) -> Response:
    return await _change(request, "moved")


async def _change(request: Request, done: str) -> Response:
    code = _code(request)
    if code is None:
        return _expired(request)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    db, _, now = ctx(request)
    try:
        check_csrf(request, values)
        if done == "cancelled":
            await db.write(bookings.cancel, code, now)
        else:
            await db.write(bookings.reschedule, code, read_start(values), now)
    except FormError as exc:
        return _problem(request, exc.key, exc.status)
    except booking_slots.SlotTaken:
        return _problem(request, "book.error.taken", 409)
    except DomainError as exc:
        # Already cancelled, begun, or no longer booked: said in the page's language.
        return _problem(request, _why_unchangeable(exc), 409)
    token = request.path_params["token"]
    response = RedirectResponse(f"/booking/{token}?{done}=1", status_code=303)
    response.background = after_booking(request)
    return response


def _why_unchangeable(exc: DomainError) -> str:
    if exc.reason == "begun":
        return "book.error.begun"
    if exc.reason == "not_booked" and exc.params.get("state") == "cancelled":
        return "book.error.already_cancelled"
    return "book.error.not_changeable"


def _problem(request: Request, detail: str, status: int) -> Response:
    back = f"/booking/{request.path_params['token']}"
    context = {"title": "book.error.title", "detail": detail, "back": back}
    return render_booking(request, "book_message.html", context, status_code=status)


def routes() -> list[Route]:
    return [
        Route("/booking/{token}", show, methods=["GET"]),
        Route("/booking/{token}/calendar.ics", booking_calendar, methods=["GET"]),
        Route("/booking/{token}/cancel", confirm_cancel, methods=["GET"]),
        Route("/booking/{token}/cancel", cancel, methods=["POST"]),
        Route("/booking/{token}/move", move, methods=["POST"]),
    ]
