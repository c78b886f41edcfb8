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

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from skranke.queue import lookup
from skranke.queue.bookings import CODE_ALPHABET, CODE_LENGTH
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
TRACKING = re.compile(r"[A-Za-z0-9_-]{8,64}")
AREAS = (Area.LIBRARY, Area.BORGERSERVICE)


def service_name(language: str, key: str, name_da: str, name_en: str) -> str:
    """Service names live in the database in Danish and English; the kiosk catalogues
    carry the common errands (pas, flytning, ...) in the other kiosk languages."""
    if language == "da":
        return name_da
    if language != "en":
        translated = catalogue(language).get(f"kiosk.service.{key}")
        if translated:
            return translated
    return name_en


@dataclass(frozen=True)
class KioskView:
    device: str
    branch_key: str
    branch_name: str
    language: str
    queues: list[ServiceQueue]


def kiosk_view(conn: Conn, device_key: str, now: datetime, policy: QueuePolicy) -> KioskView | None:
    row = pages.kiosk_device(conn, device_key)
    if row is None:
        return None
    queues = lookup.queue_status(conn, row.branch_key, now, policy)
    return KioskView(row.key, row.branch_key, row.branch_name, row.language, queues)


def _service(q: ServiceQueue, lang: str) -> dict[str, Any]:
    return {
        "key": q.service_key,
        "name": service_name(lang, q.service_key, q.name_da, q.name_en),
        # Beside a translated name, the Danish one matches the signs in the building.
        "name_da": q.name_da if lang != "da" else "",
        "walk_in": q.walk_in,
        "waiting": q.waiting,
        "minutes": q.estimated_wait_minutes,
    }


def page_texts(lang: str) -> dict[str, str]:
    gettext = translator(lang)
    keys = {k for c in (catalogue("da"), catalogue(lang)) for k in c if k.startswith("kiosk.")}
    return {key: gettext(key) for key in sorted(keys) if not key.startswith("kiosk.service.")}


async def kiosk_page(request: Request) -> Response:
    db: Database = request.app.state.db
    now = now_of(request.app)
    view = await db.read(kiosk_view, request.path_params["device"], now, request.app.state.policy)
    if view is None:
        raise HTTPException(404)
    wanted = request.query_params.get("lang")
    lang = wanted if wanted in LANGUAGES else view.language
    lang = lang if lang in LANGUAGES else "da"
    context = _page_context(request, view, lang)
    response: HTMLResponse = templates.TemplateResponse(request, "kiosk.html", context)
    # The kiosk is reloaded after every ticket; stale copies would show stale waits.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_context(request: Request, view: KioskView, lang: str) -> dict[str, Any]:
    groups = [
        (area.value, [_service(q, lang) for q in view.queues if q.area == area]) for area in AREAS
    ]
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
        # A check-in ticket may be for an errand without a button (booking only).
        "serviceNames": {
            q.service_key: service_name(lang, q.service_key, q.name_da, q.name_en)
            for q in view.queues
        },
    }
    return {
        "request": request,
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "_": translator(lang),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "view": view,
        "groups": [(area, services) for area, services in groups if services],
        "config": config,
        "code_alphabet": CODE_ALPHABET,
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
    ]
