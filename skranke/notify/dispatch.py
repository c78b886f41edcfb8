"""Sending what the outbox holds: claim, render, send, record the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr

from skranke.notify import texts
from skranke.notify.ics import appointment_ics
from skranke.notify.senders import EmailSender, SendError, SmsGateway
from skranke.queue import outbox
from skranke.queue.outbox import Notice, TicketNotice
from skranke.store.engine import Database

log = logging.getLogger(__name__)


@dataclass
class Notifier:
    email: EmailSender
    sms: SmsGateway
    sender: str
    # Booking code -> the signed link to see, cancel or move the booking.
    manage_url: Callable[[str], str]

    async def send_due(self, db: Database, now: datetime) -> int:
        """Send every due notice once; failures are recorded and retried later."""
        sent = 0
        for notice in await db.write(outbox.claim_due, now):
            try:
                await self.send(notice, now)
            except SendError as exc:
                log.warning("Notice %s (%s) failed: %s", notice.id, notice.channel, exc)
                await db.write(
                    outbox.mark_failed, notice.id, str(exc), now, permanent=exc.permanent
                )
            except Exception as exc:
                # A bug in one notice must not stop the others, nor ever a booking.
                log.exception("Notice %s (%s) failed", notice.id, notice.channel)
                await db.write(outbox.mark_failed, notice.id, repr(exc), now)
            else:
                await db.write(outbox.mark_sent, notice.id, now)
                sent += 1
        return sent

    async def send(self, notice: Notice | TicketNotice, now: datetime) -> None:
        if isinstance(notice, TicketNotice):
            # A walk-in's "nearly up": an SMS only, its number read from the ticket's contact.
            await self.sms.send(notice.phone, texts.ticket_sms_text(notice))
        elif notice.channel == "sms":
            assert notice.phone, "an SMS notice without a phone number"
            await self.sms.send(notice.phone, texts.sms_text(notice))
        else:
            await self.email.send(self.email_message(notice, now))

    def email_message(self, notice: Notice, now: datetime) -> EmailMessage:
        assert notice.email, "an e-mail notice without an address"
        manage = self.manage_url(notice.code)
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = formataddr((notice.name, notice.email))
        message["Subject"] = texts.email_subject(notice)
        # Plain text first, HTML as the alternative mail programs prefer to show.
        message.set_content(texts.email_body(notice, manage))
        message.add_alternative(texts.email_html(notice, manage), subtype="html")
        ics = appointment_ics(
            code=notice.code,
            summary=texts.service_name(notice),
            start=notice.start,
            end=notice.end,
            timezone=notice.timezone,
            location=f"{notice.branch_name}, {notice.branch_address}",
            description=texts.email_body(notice, manage),
            url=manage,
            now=now,
            cancelled=notice.template == "cancellation",
        )
        message.add_attachment(ics, maintype="text", subtype="calendar", filename="tid.ics")
        return message
