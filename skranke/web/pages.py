"""Plain pages shared by every part: the start page and the accessibility statement."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue import directory
from skranke.store.engine import Database
from skranke.web.templating import render


async def home(request: Request) -> Response:
    db: Database = request.app.state.db
    return render(request, "home.html", {"branches": await db.read(directory.branches)})


async def accessibility(request: Request) -> Response:
    return render(request, "accessibility.html")


async def favicon(request: Request) -> Response:
    # Browsers ask for /favicon.ico whatever the page links; a wall display asking every
    # reload for weeks would fill the log with 404s.
    return RedirectResponse("/static/favicon.svg", status_code=301)


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/tilgaengelighed", accessibility, methods=["GET"]),
    ]
