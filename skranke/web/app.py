"""The Starlette application; everything opens in the lifespan and closes after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from skranke.config import Settings
from skranke.db import Database
from skranke.queue.routing import RoutingPolicy
from skranke.queue.views import QueuePolicy
from skranke.web import api, pages
from skranke.web.auth import TokenCache
from skranke.web.errors import HANDLERS

STATIC = Path(__file__).parent / "static"


def policy_from(settings: Settings) -> QueuePolicy:
    return QueuePolicy(
        routing=RoutingPolicy(
            booking_window=settings.booking_call_window,
            overflow_threshold=settings.overflow_threshold,
        ),
        recall_limit=settings.recall_limit,
        estimate_history=settings.estimate_history,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        db.start()
        app.state.db = db
        try:
            yield
        finally:
            await db.stop()

    static = Mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    routes = [*api.routes(), *pages.routes(), static]
    app = Starlette(routes=routes, exception_handlers=HANDLERS, lifespan=lifespan)
    app.state.settings = settings
    app.state.policy = policy_from(settings)
    app.state.tokens = TokenCache()
    return app
