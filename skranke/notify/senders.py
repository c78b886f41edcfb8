"""Where notices go: SMTP or a log for e-mail, an HTTP gateway or a log outbox for SMS."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

log = logging.getLogger(__name__)


class SendError(Exception):
    """A failed send; `permanent` ones (a refused address) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class SmtpSender:
    def __init__(
        self, host: str, port: int, user: str = "", password: str = "", timeout: float = 30
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.user or None,
                password=self.password or None,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"Recipient refused: {exc}", permanent=True) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP {self.host}:{self.port}: {exc}") from None


class LogEmailSender:
    """No SMTP server configured: the e-mail is kept here and only its subject is logged."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
        log.info("E-mail not sent (no SKRANKE_SMTP_HOST): %s", message["Subject"])


class HttpSmsGateway:
    """POSTs `{"to": "+45...", "text": "..."}` as JSON to the gateway URL."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        self.url, self.timeout = url, timeout

    async def send(self, phone: str, text: str) -> None:
        await asyncio.to_thread(self._post, phone, text)

    def _post(self, phone: str, text: str) -> None:
        body = json.dumps({"to": phone, "text": text}).encode()
        request = urllib.request.Request(
            self.url, body, {"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise SendError(f"SMS gateway answered {exc.code}", permanent=exc.code < 500) from None
        except (urllib.error.URLError, OSError) as exc:
            raise SendError(f"SMS gateway unreachable: {exc}") from None


class LogSmsGateway:
    """The demo's SMS outbox: messages are kept in memory and logged, never sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        log.info("SMS (demo outbox, not sent): %s", text)
