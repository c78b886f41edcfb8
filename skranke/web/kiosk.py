"""The touch kiosk `/kiosk/{device}` and the QR codes it shows (`/qr/t/{tracking}.svg`).

The page itself is public: it shows only what the queue API shows. Taking a ticket needs the
kiosk's device token, which the page keeps in localStorage after being opened once as
`/kiosk/{device}#token=...` (a fragment never reaches the server or its access log).
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from skranke.queue import lookup, opening
from skranke.queue.bookings import CODE_ALPHABET, CODE_LENGTH
from skranke.queue.opening import DropIn, DropInState
from skranke.queue.states import LANGUAGES, Area
from skranke.queue.views import QueuePolicy, ServiceQueue
from skranke.store import Conn, pages
from skranke.store.engine import Database
from skranke.web.endpoints import now_of
from skranke.web.i18n import LANGUAGE_NAMES, RTL, catalogue, translator
from skranke.web.templating import templates

# Seconds the ticket stays on screen; "more time" adds EXTEND_SECONDS each tap (EAA).
RESULT_SECONDS = 30
EXTEND_SECONDS = 60
# A citizen who chose another language and walked away leaves the next one a Danish screen.
IDLE_SECONDS = 90
# How often an open kiosk page asks whether drop-in is still open and its token still good.
STATUS_SECONDS = 60
TRACKING = re.compile(r"[A-Za-z0-9_-]{8,64}")
AREAS = (Area.LIBRARY, Area.BORGERSERVICE)


def wait_text(
    lang: str, waiting: int, minutes: int | None, span: tuple[int, int] | None, late: bool = False
) -> str:
    """ "Ingen kø", "3 venter · ca. 10–15 min.": kiosk.js says it the same way (waitText).
    Never "0 min" while people are ahead: the estimate rounds to nothing, the wait does not."""
    gettext = translator(lang)
    if late:
        return gettext("kiosk.too_late")
    if waiting == 0:
        return gettext("kiosk.wait.none")
    if span is not None and span[1] > span[0]:
        if span[0] <= 0:
            return gettext("kiosk.wait.under", waiting=waiting, minutes=span[1])
        return gettext("kiosk.wait.range", waiting=waiting, low=span[0], high=span[1])
    if minutes:
        return gettext("kiosk.wait.some", waiting=waiting, minutes=minutes)
    return gettext("kiosk.wait.short", waiting=waiting)


@dataclass(frozen=True)
class KioskView:
    device: str
    branch_key: str
    branch_name: str
    language: str
    queues: list[ServiceQueue]
    # A deactivated kiosk shows its out-of-order screen, whatever token it holds.
    active: bool
    dropin: DropInState


def kiosk_view(conn: Conn, device_key: str, now: datetime, policy: QueuePolicy) -> KioskView | None:
    row = pages.kiosk_device(conn, device_key)
    if row is None:
        return None
    queues = lookup.queue_status(conn, row.branch_key, now, policy)
    dropin = DropInState(DropIn.OPEN)
    if policy.opening_hours:
        dropin = opening.branch_dropin(conn, row.branch_key, now, policy.ticket_cutoff_minutes)
    return KioskView(
        row.key, row.branch_key, row.branch_name, row.language, queues, row.active, dropin
    )


def _service(q: ServiceQueue, lang: str, view: KioskView, now: datetime) -> dict[str, Any]:
    name = q.name(lang)
    # Open, but the wait runs past closing: "book a time" instead of a ticket.
    late = opening.runs_past_closing(view.dropin, now, q.estimated_wait_minutes)
    return {
        "key": q.service_key,
        "name": name,
        # Beside a translated name, the Danish one matches the signs in the building.
        "name_da": q.name_da if name != q.name_da else "",
        "walk_in": q.walk_in,
        "too_late": late,
        "wait": wait_text(lang, q.waiting, q.estimated_wait_minutes, q.estimated_wait_range, late),
    }


def page_texts(lang: str) -> dict[str, str]:
    gettext = translator(lang)
    keys = {k for c in (catalogue("da"), catalogue(lang)) for k in c if k.startswith("kiosk.")}
    return {key: gettext(key) for key in sorted(keys)}


async def kiosk_page(request: Request) -> Response:
    db: Database = request.app.state.db
    now = now_of(request.app)
    view = await db.read(kiosk_view, request.path_params["device"], now, request.app.state.policy)
    wanted = request.query_params.get("lang")
    if view is None or not view.active:
        # No staff instructions here: citizens read this screen (the log and /admin tell why).
        return out_of_order(request, wanted if wanted in LANGUAGES else "da", view)
    lang = wanted if wanted in LANGUAGES else view.language
    lang = lang if lang in LANGUAGES else "da"
    context = _page_context(request, view, lang, now)
    response: HTMLResponse = templates.TemplateResponse(request, "kiosk.html", context)
    # The kiosk is reloaded after every ticket; stale copies would show stale waits.
    response.headers["Cache-Control"] = "no-store"
    return response


def out_of_order(request: Request, lang: str, view: KioskView | None) -> Response:
    context = {
        "request": request,
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "_": translator(lang),
        "branch_name": view.branch_name if view is not None else "",
    }
    status = 404 if view is None else 403
    response = templates.TemplateResponse(
        request, "kiosk_out_of_order.html", context, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def opens_when(moment: datetime | None, now: datetime, lang: str, tz: ZoneInfo) -> str:
    """ "i dag kl. 10:00", "i morgen kl. 10:00", "mandag 28. december kl. 10:00"."""
    gettext = translator(lang)
    if moment is None:
        return ""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = f"{local:%H:%M}"
    days = (local.date() - today).days
    if days == 0:
        return str(gettext("kiosk.when.today", time=clock))
    if days == 1:
        return str(gettext("kiosk.when.tomorrow", time=clock))
    # The date too: "Monday" alone misleads when the branch is closed for a week.
    pattern = "EEEE d. MMMM" if lang == "da" else "EEEE d MMMM"
    day = format_date(local.date(), pattern, locale=lang)
    return str(gettext("kiosk.when.day", day=day, time=clock))


def _closed_context(request: Request, view: KioskView, lang: str, now: datetime) -> dict[str, Any]:
    dropin = view.dropin
    tz = ZoneInfo(request.app.state.settings.timezone)
    return {
        "state": dropin.state.value,
        "opens": opens_when(dropin.opens_at, now, lang, tz),
        "book_url": f"{request.app.state.settings.public_url}/book",
    }


def _page_context(request: Request, view: KioskView, lang: str, now: datetime) -> dict[str, Any]:
    groups = [
        (area.value, [_service(q, lang, view, now) for q in view.queues if q.area == area])
        for area in AREAS
    ]
    # One compact list of the errands that need a booking, both areas: they cannot be drawn.
    booked = [s for _, services in groups for s in services if not s["walk_in"]]
    closed = _closed_context(request, view, lang, now)
    changes_at = view.dropin.changes_at
    config = {
        "device": view.device,
        "branch": view.branch_key,
        "lang": lang,
        "defaultLang": view.language,
        "resultSeconds": RESULT_SECONDS,
        "extendSeconds": EXTEND_SECONDS,
        "idleSeconds": IDLE_SECONDS,
        "texts": page_texts(lang),
        "code": {"alphabet": CODE_ALPHABET, "length": CODE_LENGTH},
        # The page looks again (GET /api/v1/kiosks/{device}/status) every minute and then.
        "dropin": closed["state"],
        "changesAt": changes_at.isoformat() if changes_at else None,
        "closesAt": view.dropin.closes_at.isoformat() if view.dropin.closes_at else None,
        # Tests of the page's own switching set a shorter interval on app.state.
        "statusSeconds": getattr(request.app.state, "kiosk_status_seconds", STATUS_SECONDS),
        "bookUrl": closed["book_url"],
        # The kiosk PC's clock may be off; times above are compared on the server's.
        "serverNow": now.isoformat(),
        # A check-in ticket may be for an errand without a button (booking only).
        "serviceNames": {q.service_key: q.name(lang) for q in view.queues},
        # Times on this screen are the branch's clock times ("kl. 21:40").
        "timeZone": request.app.state.settings.timezone,
    }
    return {
        "request": request,
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "_": translator(lang),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "view": view,
        "groups": [(area, services) for area, services in groups if services],
        "booked": booked,
        "config": config,
        "code_alphabet": CODE_ALPHABET,
        "closed": closed,
    }


@functools.lru_cache(maxsize=512)
def qr_svg(data: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


async def booking_qr(request: Request) -> Response:
    """The booking address as a QR code, for the kiosk's closed screen."""
    svg = await run_in_threadpool(qr_svg, f"{request.app.state.settings.public_url}/book")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


async def tracking_qr(request: Request) -> Response:
    tracking: str = request.path_params["tracking"]
    if not TRACKING.fullmatch(tracking):
        raise HTTPException(404)
    # Only our own phone-page links: this is no general QR service for anyone's URL.
    url = f"{request.app.state.settings.public_url}/t/{tracking}"
    svg = await run_in_threadpool(qr_svg, url)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400, immutable"},
    )


def routes() -> list[Route]:
    return [
        Route("/kiosk/{device}", kiosk_page, methods=["GET"]),
        Route("/qr/t/{tracking}.svg", tracking_qr, methods=["GET"]),
        Route("/qr/book.svg", booking_qr, methods=["GET"]),
    ]
