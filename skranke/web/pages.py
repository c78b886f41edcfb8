"""Plain pages shared by every part: the start page and the accessibility statement."""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue import directory, lookup
from skranke.queue.errors import NotFound
from skranke.store import branches
from skranke.store.engine import Database
from skranke.web.endpoints import ctx
from skranke.web.templating import language, render

# The statement's own facts (date of the last axe run, known issues) are kept beside the code
# they describe, and change with it; the municipality's details come from the administration.
STATEMENT = Path(__file__).parent / "accessibility.json"


@functools.cache
def _statement() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(STATEMENT.read_text(encoding="utf-8"))
    return loaded


async def home(request: Request) -> Response:
    db: Database = request.app.state.db
    return render(request, "home.html", {"branches": await db.read(directory.branches)})


async def queue_now(request: Request) -> Response:
    """The queue as people read it (the home page linked raw JSON before)."""
    db, policy, now = ctx(request)
    try:
        branch = await db.read(branches.row, request.path_params["branch"])
    except NotFound:
        raise HTTPException(404) from None  # a page people read, not the API's JSON
    queues = await db.read(lookup.queue_status, branch.key, now, policy)
    as_of = f"{now.astimezone(ZoneInfo(branch.timezone)):%H:%M}"
    return render(request, "queue_now.html", {"branch": branch, "queues": queues, "as_of": as_of})


async def accessibility(request: Request) -> Response:
    db: Database = request.app.state.db
    lang = language(request)
    facts = _statement()
    status = {
        "status": facts["status"],
        "method": facts["method"].get(lang, facts["method"]["da"]),
        "known_issues": facts["known_issues"].get(lang, facts["known_issues"]["da"]),
        # en_GB: "4 December 2026", as the English pages write dates.
        "checked": format_date(
            date.fromisoformat(facts["checked"]), "long", locale="en_GB" if lang == "en" else lang
        ),
    }
    details = await db.read(directory.statement_details)
    site = request.app.state.settings.public_url
    context = {"details": details, "status": status, "site": site}
    return render(request, "accessibility.html", context, lang=lang)


async def favicon(request: Request) -> Response:
    # Browsers ask for /favicon.ico whatever the page links; a wall display asking every
    # reload for weeks would fill the log with 404s.
    return RedirectResponse("/static/favicon.svg", status_code=301)


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/tilgaengelighed", accessibility, methods=["GET"]),
        Route("/queue/{branch}", queue_now, methods=["GET"]),
    ]
