"""The Starlette application; everything opens in the lifespan and closes after it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from skranke.config import Settings
from skranke.displays.link import LiveOptions
from skranke.displays.runtime import start_live
from skranke.printers.spooler import Spooler, SpoolSettings
from skranke.queue.routing import RoutingPolicy
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database
from skranke.web import (
    admin,
    agent_ws,
    api,
    booking_pages,
    kiosk,
    live_pages,
    live_sockets,
    login,
    ops,
    pages,
    phone,
    staff_booking,
)
from skranke.web.auth import TokenCache, auth_middleware
from skranke.web.booking_support import IpLimiter, booking_jobs, build_notifier
from skranke.web.contacts import DeviceContacts
from skranke.web.edge import Edge
from skranke.web.endpoints import now_of
from skranke.web.errors import HANDLERS
from skranke.web.idempotency import Idempotency
from skranke.web.metrics import Metrics
from skranke.web.sessions import session_middleware
from skranke.web.stats import pages as stats_pages

STATIC = Path(__file__).parent / "static"
STOP_SECONDS = 10.0
log = logging.getLogger(__name__)


def policy_from(settings: Settings) -> QueuePolicy:
    return QueuePolicy(
        routing=RoutingPolicy(
            booking_window=settings.booking_call_window,
            overflow_threshold=settings.overflow_threshold,
        ),
        recall_limit=settings.recall_limit,
        estimate_history=settings.estimate_history,
        opening_hours=settings.kiosk_hours,
        ticket_cutoff_minutes=settings.ticket_cutoff_minutes,
    )


async def stopping(what: str, step: Awaitable[None], seconds: float = STOP_SECONDS) -> None:
    """One step of shutting down, bounded: a stop that waits forever (a socket that never
    closes, a task that never ends) must not keep the process, or systemd, from stopping."""
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.error("Stopping %s took over %.0f s; going on without waiting for it", what, seconds)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        db.start()
        app.state.db = db
        db.listeners.append(metrics.on_events)
        spooler = Spooler(
            db,
            SpoolSettings.from_env(),
            settings.public_url,
            clock=now,
        )
        app.state.spooler = spooler
        try:
            await spooler.start()
            live = await start_live(db, app.state.policy, now, app.state.live_options)
            app.state.hub = live.hub
            app.state.live = live  # /readyz asks its bus
            try:
                async with booking_jobs(app, db, now):
                    yield
            finally:
                await stopping("the live hub", live.stop())
        finally:
            await stopping("the print spooler", spooler.stop())
            await stopping("device contacts", app.state.contacts.drain())
            await stopping("the database", db.stop())

    def now() -> datetime:
        return now_of(app)

    metrics = Metrics()
    static = Mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    routes = [
        *api.routes(),
        *pages.routes(),
        *login.routes(),
        *live_pages.routes(),
        *phone.routes(),
        *staff_booking.routes(),
        *live_sockets.routes(),
        *kiosk.routes(),
        *agent_ws.routes(),
        *booking_pages.routes(),
        *stats_pages.routes(),
        *admin.routes(),
        *ops.routes(),
        static,
    ]
    app = Starlette(
        routes=routes,
        # The session first: the authentication backend reads it (HTTP and websockets alike).
        middleware=[
            # Outermost first: headers on every answer, oversized bodies refused before the
            # session or a token is looked at; so are URLs with control characters.
            Middleware(ops.Observe, metrics=metrics),  # ids and times every request
            # Security headers, then the URL check, then the body limit, as one layer.
            Middleware(Edge),
            session_middleware(settings),
            auth_middleware(),
        ],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.policy = policy_from(settings)
    app.state.tokens = TokenCache()
    app.state.contacts = DeviceContacts(lambda: app.state.db, now)
    app.state.idempotency = Idempotency()
    app.state.live_options = LiveOptions()
    app.state.notifier = build_notifier(settings)
    app.state.booking_limiter = IpLimiter(settings.booking_ip_limit)
    return app
