"""The live pages: `/counter` for staff, `/display/{device}` on the wall, `/t/{tracking}`.

Each page is rendered with what it needs to start; its script then follows the matching
websocket (see docs/live.md). Texts reach the scripts as JSON from the page's catalogue.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.store import Conn, branches, pages
from skranke.store.counters import of_branch as branch_counters
from skranke.store.engine import Database
from skranke.web.i18n import catalogue
from skranke.web.sessions import csrf_token, session_principal
from skranke.web.templating import language, render


def texts(lang: str, *prefixes: str) -> dict[str, str]:
    merged = {**catalogue("da"), **catalogue(lang)}
    return {key: text for key, text in merged.items() if key.startswith(prefixes)}


def transfer_targets(conn: Conn, branch_id: int) -> dict[str, list[dict[str, Any]]]:
    services = branches.active_services(conn, branch_id)
    return {
        "services": [{"key": s.key, "name": {"da": s.name_da, "en": s.name_en}} for s in services],
        "counters": [{"id": c.id, "number": c.number} for c in branch_counters(conn, branch_id)],
    }


async def counter_page(request: Request) -> Response:
    who = session_principal(request)
    if who is None:
        here = quote(f"{request.url.path}?{request.url.query}".rstrip("?"), safe="")
        return RedirectResponse(f"/login?next={here}", status_code=303)
    db: Database = request.app.state.db
    counters = await db.read(pages.counters_with_branch, who.branch_ids)
    chosen = request.query_params.get("counter")
    counter = next((c for c in counters if str(c["id"]) == chosen), None)
    context = {"who": who, "csrf": csrf_token(request), "counters": counters}
    if counter is None:
        status = 404 if chosen else 200
        return render(request, "counter_pick.html", context, status_code=status)
    lang = language(request)
    config = {
        "counter": counter,
        "csrf": context["csrf"],
        "lang": lang,
        "texts": texts(lang, "counter.", "live.", "bookings."),
        **await db.read(transfer_targets, counter["branch_id"]),
    }
    return render(request, "counter.html", {**context, "counter": counter, "config": config})


async def display_page(request: Request) -> Response:
    db: Database = request.app.state.db
    key: str = request.path_params["device"]
    known = await db.read(pages.display_exists, key)
    lang = language(request)
    config = {
        # An unknown display shows its out-of-order screen, not a page with links away.
        "outOfOrder": not known,
        "device": key,
        "lang": lang,
        "texts": texts(lang, "display.", "live."),
        "announce": {code: catalogue(code)["display.announce"] for code in ("da", "en")},
    }
    status = 200 if known else 404
    return render(request, "display.html", {"config": config, "device": key}, status_code=status)


def routes() -> list[Route]:
    return [
        Route("/counter", counter_page, methods=["GET"]),
        Route("/display/{device}", display_page, methods=["GET"]),
    ]
