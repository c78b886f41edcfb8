"""Booking endpoints of the JSON API v1 (DESIGN §6), joined to the table in `api`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from skranke.config import Settings
from skranke.queue import booking_slots, bookings, issuing
from skranke.queue.accounts import Principal
from skranke.queue.bookings import BookingInfo
from skranke.queue.checkin import CheckinWindow, TooEarly, TooLate
from skranke.queue.idempotency import Keyed, Replay
from skranke.store import Conn
from skranke.web import booking_schemas as b
from skranke.web import schemas as s
from skranke.web.auth import KIOSK_OR_STAFF, PUBLIC, STAFF, caller
from skranke.web.booking_support import allow_booking, booking_ics, code_from_token, ics_url
from skranke.web.booking_support import manage_url as manage_link
from skranke.web.endpoints import Endpoint, ctx, json
from skranke.web.errors import ApiError, parse_body
from skranke.web.idempotency import (
    Idempotency,
    keyed,
    printed_answer,
    replayed,
    ticket_answer,
    write_once,
)
from skranke.web.inputs import WINDOW, in_window


def _moment(request: Request, name: str, tz: ZoneInfo) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        if len(raw) == 10:
            moment = datetime.combine(date.fromisoformat(raw), time(0), tz)
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            422, "invalid_request", f"{name}: Expected YYYY-MM-DD or an ISO time, but got {raw!r}"
        ) from None
    _check_window(name, moment, raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _check_window(name: str, day: date, raw: str) -> None:
    # Near year 1 or 9999 a time zone shift overflows; nothing is booked that far off anyway.
    if not in_window(day):
        raise ApiError(
            422, "invalid_request", f"{name}: Expected a date from {WINDOW}, got {raw!r}"
        )


def _day(raw: str | None, now: datetime) -> date:
    """The `?date=` asked for, or today in Copenhagen."""
    if not raw:
        return now.astimezone(ZoneInfo("Europe/Copenhagen")).date()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            422, "invalid_request", f"date: Expected YYYY-MM-DD, but got {raw!r}"
        ) from None
    _check_window("date", day, raw)
    return day


def slot_taken(exc: booking_slots.SlotTaken) -> Response:
    nearest = [b.SlotOut.of(slot) for slot in exc.nearest]
    return json(b.SlotTakenOut(error=exc.code, detail=exc.detail, nearest=nearest), 409)


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


def _booking(request: Request, body: b.BookingIn) -> Callable[[Conn], BookingInfo]:
    """The booking this request asks for, as one unit of work."""
    _, _, now = ctx(request)
    limit = request.app.state.settings.max_bookings_per_contact
    who = bookings.contact(body.name, body.email, body.phone, body.language)

    def book(conn: Conn) -> BookingInfo:
        return bookings.book(
            conn, body.branch, body.service, body.start, who, now, max_per_contact=limit
        )

    return book


async def create_booking(request: Request) -> Response:
    body = await parse_body(request, b.BookingIn)
    if not allow_booking(request):
        raise ApiError(429, "rate_limited", "Too many bookings from this address; try later")
    settings = request.app.state.settings
    # Anyone may book, so keys are shared by all callers; the fingerprint keeps them apart.
    key = await keyed(request, "public")
    try:
        done = await write_once(request, key, booking_answer(settings), _booking(request, body))
    except booking_slots.SlotTaken as exc:
        return slot_taken(exc)
    if isinstance(done, Replay):
        return replayed(done)
    response = json(booked(settings, done), 201)
    response.background = after_booking(request)
    return response


def booking_answer(settings: Settings) -> Callable[[bookings.BookingInfo], tuple[int, bytes]]:
    """What a retry of a booking answers, stored with the booking."""

    def answer(info: bookings.BookingInfo) -> tuple[int, bytes]:
        out = booked(settings, info)
        return 201, out.__pydantic_serializer__.to_json(out)

    return answer


def booked(settings: Settings, info: bookings.BookingInfo) -> b.BookingOut:
    return b.BookingOut(
        code=info.code,
        start=info.start,
        end=info.end,
        cancel_url=manage_link(settings, info.code),
        ics_url=ics_url(settings, info.code),
    )


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


def checkin_refused(exc: TooEarly | TooLate) -> Response:
    if isinstance(exc, TooEarly):
        come_back = exc.come_back_at.isoformat()
        return json(b.TooEarlyOut(error=exc.code, detail=exc.detail, come_back_at=come_back), 409)
    return json(b.TooLateOut(error=exc.code, detail=exc.detail), 409)


async def checked_in(
    request: Request, who: Principal, body: b.CheckinIn, key: Keyed | None
) -> Response:
    _, policy, now = ctx(request)
    url = request.app.state.settings.public_url
    # A kiosk's check-in ticket prints like any other it issues (see issue_ticket).
    done = await write_once(
        request,
        key,
        ticket_answer(url),
        issuing.check_in_with_print,
        who.device_id,
        request.path_params["branch"],
        body.code,
        now,
        policy,
        checkin_window(request),
        dropin=body.dropin,
        branch_ids=who.branch_ids,
        language=body.language,
    )
    return await printed_answer(request, who, done)


async def checkin(request: Request) -> Response:
    who = caller(request)
    body = await parse_body(request, b.CheckinIn)
    key = await keyed(request, f"{who.kind}:{who.name}")

    async def check() -> Response:
        try:
            return await checked_in(request, who, body, key)
        except (TooEarly, TooLate) as exc:
            return checkin_refused(exc)

    once: Idempotency = request.app.state.idempotency
    return await once.once(key, check)


async def branch_bookings(request: Request) -> Response:
    who = caller(request)
    db, _, now = ctx(request)
    day = _day(request.query_params.get("date"), now)
    found = await db.read(bookings.day_bookings, request.path_params["branch"], day, who.branch_ids)
    return json(found, of=list[b.DayBookingOut])


BOOKING_ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/v1/services/{service}/slots",
        service_slots,
        "Free slots of a bookable service (?branch=&from=&to=)",
        PUBLIC,
        None,
        b.SlotsOut,
        errors=(404, 422),
    ),
    Endpoint(
        "POST",
        "/api/v1/bookings",
        create_booking,
        "Book an appointment",
        PUBLIC,
        b.BookingIn,
        b.BookingOut,
        201,
        (400, 404, 409, 422, 429),
        error_bodies={409: b.SlotTakenOut},
    ),
    Endpoint(
        "DELETE",
        "/api/v1/bookings/{code}",
        cancel_booking,
        "Cancel a booking (?token= from the signed link)",
        PUBLIC,
        None,
        b.CancelledOut,
        errors=(403, 404, 409),
    ),
    Endpoint(
        "POST",
        "/api/v1/branches/{branch}/checkins",
        checkin,
        "Check a booking in at the kiosk",
        KIOSK_OR_STAFF,
        b.CheckinIn,
        s.IssuedTicketOut,
        201,
        (400, 401, 403, 404, 409, 422),
        # Too early or too late, or checked in already (a plain error).
        error_bodies={409: b.TooEarlyOut | b.TooLateOut | s.ErrorOut},
    ),
    Endpoint(
        "GET",
        "/api/v1/branches/{branch}/bookings",
        branch_bookings,
        "A day's bookings at a branch (?date=YYYY-MM-DD)",
        STAFF,
        None,
        list[b.DayBookingOut],
        errors=(401, 403, 404, 422),
    ),
]
