"""Booking endpoints of the JSON API v1 (DESIGN §6), appended to api.ENDPOINTS."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from skranke.printers import jobs as print_jobs
from skranke.printers.spooler import Spooler
from skranke.queue import booking_slots, bookings
from skranke.queue.checkin import CheckinWindow, TooEarly, TooLate
from skranke.queue.slots import Slot
from skranke.web import booking_schemas as b
from skranke.web import schemas as s
from skranke.web.api import Endpoint, ctx, json
from skranke.web.auth import require
from skranke.web.booking_support import allow_booking, booking_ics, code_from_token, ics_url
from skranke.web.booking_support import manage_url as manage_link
from skranke.web.errors import ApiError, parse_body
from skranke.web.idempotency import Idempotency


def _moment(request: Request, name: str, tz: ZoneInfo) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), tz)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            422, "invalid_request", f"{name}: Expected YYYY-MM-DD or an ISO time, but got {raw!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def nearest_json(slots: list[Slot]) -> list[dict[str, Any]]:
    return [b.SlotOut.of(slot).model_dump(mode="json") for slot in slots]


async def service_slots(request: Request) -> Response:
    db, _, now = ctx(request)
    branch, key = request.query_params.get("branch"), request.path_params["service"]
    service = await db.read(booking_slots.bookable_service, branch, key)
    tz = ZoneInfo(service.timezone)
    lo, hi = _moment(request, "from", tz), _moment(request, "to", tz)
    _, found = await db.read(booking_slots.slots_between, service.branch_key, key, now, lo, hi)
    out = b.SlotsOut(
        branch=service.branch_key,
        service=key,
        slot_minutes=service.slot_minutes,
        capacity=service.capacity,
        slots=[b.SlotOut.of(slot) for slot in found],
    )
    return json(out)


def after_booking(request: Request) -> BackgroundTask:
    """Send the confirmation straight away; the outbox job retries if that fails."""
    db, _, now = ctx(request)
    return BackgroundTask(request.app.state.notifier.send_due, db, now)


async def create_booking(request: Request) -> Response:
    body = await parse_body(request, b.BookingIn)
    if not allow_booking(request):
        raise ApiError(429, "rate_limited", "Too many bookings from this address; try later")
    db, _, now = ctx(request)
    settings = request.app.state.settings
    who = bookings.contact(body.name, body.email, body.phone, body.language)
    try:
        info = await db.write(
            bookings.book,
            body.branch,
            body.service,
            body.start,
            who,
            now,
            max_per_contact=settings.max_bookings_per_contact,
        )
    except booking_slots.SlotTaken as exc:
        out = {"error": exc.code, "detail": exc.detail, "nearest": nearest_json(exc.nearest)}
        return JSONResponse(out, status_code=409)
    booked = b.BookingOut(
        code=info.code,
        start=info.start,
        end=info.end,
        cancel_url=manage_link(settings, info.code),
        ics_url=ics_url(settings, info.code),
    )
    response = json(booked, 201)
    response.background = after_booking(request)
    return response


def _signed_code(request: Request, token: str) -> str:
    code = code_from_token(request.app.state.settings, token)
    if code is None:
        raise ApiError(403, "bad_token", "Expected a valid, unexpired link token")
    return code


async def cancel_booking(request: Request) -> Response:
    code = _signed_code(request, request.query_params.get("token", ""))
    if code != bookings.normalise_code(request.path_params["code"]):
        raise ApiError(403, "bad_token", "The token belongs to another booking")
    db, _, now = ctx(request)
    info = await db.write(bookings.cancel, code, now)
    response = json(b.CancelledOut(code=info.code, state=info.state.value))
    response.background = after_booking(request)
    return response


async def booking_calendar(request: Request) -> Response:
    """The .ics download behind the signed link (a page route, for people's calendars)."""
    code = _signed_code(request, request.path_params["token"])
    db, _, now = ctx(request)
    info = await db.read(bookings.booking_info, code)
    lang = request.query_params.get("lang") or info.language
    data = booking_ics(info, request.app.state.settings, lang, now)
    headers = {"Content-Disposition": f'attachment; filename="skranke-{info.code}.ics"'}
    return Response(data, media_type="text/calendar; charset=utf-8", headers=headers)


def checkin_window(request: Request) -> CheckinWindow:
    settings = request.app.state.settings
    return CheckinWindow(
        early=timedelta(minutes=settings.checkin_early_minutes),
        late=timedelta(minutes=settings.checkin_late_minutes),
    )


async def checkin(request: Request) -> Response:
    who = await require(request, "kiosk", "staff")
    body = await parse_body(request, b.CheckinIn)
    db, policy, now = ctx(request)
    spooler: Spooler = request.app.state.spooler

    async def check() -> Response:
        try:
            # A kiosk's check-in ticket prints like any other it issues (see issue_ticket).
            info, job = await db.write(
                print_jobs.check_in_with_print,
                who.device_id,
                request.path_params["branch"],
                body.code,
                now,
                policy,
                checkin_window(request),
                dropin=body.dropin,
                branch_ids=who.branch_ids,
            )
        except TooEarly as exc:
            come_back = exc.come_back_at.isoformat()
            out = {"error": exc.code, "detail": exc.detail, "come_back_at": come_back}
            return JSONResponse(out, status_code=409)
        except TooLate as exc:
            late = {"error": exc.code, "detail": exc.detail, "dropin": True}
            return JSONResponse(late, status_code=409)
        ticket = s.TicketOut.of(info, request.app.state.settings.public_url)
        printing = await spooler.submit(job, who.device_id)
        print_out = s.PrintOut(status=printing.status, detail=printing.detail)
        return json(s.IssuedTicketOut(**ticket.model_dump(), print=print_out), 201)

    once: Idempotency = request.app.state.idempotency
    return await once.once(f"{who.kind}:{who.name}", request.headers.get("idempotency-key"), check)


async def branch_bookings(request: Request) -> Response:
    who = await require(request, "staff")
    db, _, now = ctx(request)
    raw = request.query_params.get("date")
    try:
        day = (
            date.fromisoformat(raw) if raw else now.astimezone(ZoneInfo("Europe/Copenhagen")).date()
        )
    except ValueError:
        raise ApiError(
            422, "invalid_request", f"date: Expected YYYY-MM-DD, but got {raw!r}"
        ) from None
    found = await db.read(bookings.day_bookings, request.path_params["branch"], day, who.branch_ids)
    return json(found, of=list[b.DayBookingOut])


BOOKING_ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/v1/services/{service}/slots",
        service_slots,
        "Free slots of a bookable service (?branch=&from=&to=)",
        "public",
        None,
        b.SlotsOut,
        errors=(404, 422),
    ),
    Endpoint(
        "POST",
        "/api/v1/bookings",
        create_booking,
        "Book an appointment",
        "public",
        b.BookingIn,
        b.BookingOut,
        201,
        (400, 404, 409, 422),
    ),
    Endpoint(
        "DELETE",
        "/api/v1/bookings/{code}",
        cancel_booking,
        "Cancel a booking (?token= from the signed link)",
        "public",
        None,
        b.CancelledOut,
        errors=(403, 404, 409),
    ),
    Endpoint(
        "POST",
        "/api/v1/branches/{branch}/checkins",
        checkin,
        "Check a booking in at the kiosk",
        "kiosk staff",
        b.CheckinIn,
        s.IssuedTicketOut,
        201,
        (400, 401, 403, 404, 409, 422),
    ),
    Endpoint(
        "GET",
        "/api/v1/branches/{branch}/bookings",
        branch_bookings,
        "A day's bookings at a branch (?date=YYYY-MM-DD)",
        "staff",
        None,
        list[b.DayBookingOut],
        errors=(401, 403, 404, 422),
    ),
]
