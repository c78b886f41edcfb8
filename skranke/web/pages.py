"""Plain pages shared by every part: the start page and the accessibility statement."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from skranke.queue import directory
from skranke.store.engine import Database
from skranke.web.templating import render


async def home(request: Request) -> Response:
    db: Database = request.app.state.db
    return render(request, "home.html", {"branches": await db.read(directory.branches)})


async def accessibility(request: Request) -> Response:
    return render(request, "accessibility.html")


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/tilgaengelighed", accessibility, methods=["GET"]),
    ]
