"""Booking helpers for the pages and the API: signed links, QR, .ics, the per-IP limit."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import qrcode
import qrcode.image.svg
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse as parse_limit
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request

from skranke.config import Settings
from skranke.jobs import Jobs
from skranke.notify.dispatch import Notifier
from skranke.notify.ics import appointment_ics
from skranke.notify.senders import HttpSmsGateway, LogEmailSender, LogSmsGateway, SmtpSender
from skranke.queue.bookings import BookingInfo
from skranke.store.engine import Database

SALT = "skranke.booking.manage"
# Bookings open at most a few months ahead; a link lives a little longer than that.
LINK_MAX_AGE = 120 * 86400

log = logging.getLogger(__name__)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=SALT)


def manage_token(settings: Settings, code: str) -> str:
    return _serializer(settings).dumps(code)


def code_from_token(settings: Settings, token: str) -> str | None:
    """The booking code a link was signed for, or None if forged or expired."""
    try:
        code = _serializer(settings).loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return code if isinstance(code, str) else None


def manage_url(settings: Settings, code: str) -> str:
    return f"{settings.public_url}/booking/{manage_token(settings, code)}"


def ics_url(settings: Settings, code: str) -> str:
    return f"{manage_url(settings, code)}/calendar.ics"


def qr_svg(text: str, label: str) -> Markup:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode().split("?>", 1)[-1].strip()
    # Screen readers announce the picture by its label, and the code is printed beside it.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(svg)


def booking_ics(info: BookingInfo, settings: Settings, lang: str, now: datetime) -> bytes:
    name = info.service_name_da if lang == "da" else info.service_name_en
    bring = info.what_to_bring_da if lang == "da" else info.what_to_bring_en
    code_word = "Bookingkode" if lang == "da" else "Booking code"
    return appointment_ics(
        code=info.code,
        summary=f"{name} – {info.branch_name}",
        start=info.start,
        end=info.end,
        timezone=info.timezone,
        location=f"{info.branch_name}, {info.branch_address}",
        description=f"{code_word}: {info.code}\n{bring}".strip(),
        url=manage_url(settings, info.code),
        now=now,
        cancelled=info.state == "cancelled",
    )


class IpLimiter:
    """At most `rate` (e.g. "20/hour") bookings per client address, in this process."""

    def __init__(self, rate: str) -> None:
        self.rate = parse_limit(rate)
        self._limiter: MovingWindowRateLimiter | None = None

    def hit(self, address: str) -> bool:
        if self._limiter is None:
            # Created on first use: the storage starts a timer thread, and importing or
            # building the app must open nothing.
            self._limiter = MovingWindowRateLimiter(MemoryStorage())
        return self._limiter.hit(self.rate, "booking", address)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def allow_booking(request: Request) -> bool:
    limiter: IpLimiter = request.app.state.booking_limiter
    return limiter.hit(client_address(request))


def build_notifier(settings: Settings) -> Notifier:
    email = (
        SmtpSender(
            settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password
        )
        if settings.smtp_host
        else LogEmailSender()
    )
    sms = HttpSmsGateway(settings.sms_gateway_url) if settings.sms_gateway_url else LogSmsGateway()
    return Notifier(
        email=email,
        sms=sms,
        sender=settings.smtp_from,
        manage_url=lambda code: manage_url(settings, code),
    )


@asynccontextmanager
async def booking_jobs(
    app: Starlette, db: Database, clock: Callable[[], datetime]
) -> AsyncIterator[None]:
    """The scheduled jobs run while the app does (unless SKRANKE_JOBS=off)."""
    settings: Settings = app.state.settings
    if not settings.jobs_enabled:
        yield
        return
    jobs = Jobs(db, settings, app.state.notifier, clock)
    jobs.start()
    app.state.jobs = jobs
    try:
        yield
    finally:
        # Bounded like every shutdown step (web.app.stopping): a leader lock's connection
        # that never answers must not hold the process.
        try:
            await asyncio.wait_for(jobs.stop(), 10)
        except TimeoutError:
            log.error("Stopping the scheduled jobs took over 10 s; going on without them")
