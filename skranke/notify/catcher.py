"""The demo's mail catcher: an SMTP server that keeps every e-mail as a `.eml` file.

`make run` starts it beside the printer emulator and points the server's SMTP settings at it,
so a booking's confirmation, reminder and cancellation can be opened in any mail program
(or read as text) from `var/mail/` — nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)


class MailFolder:
    """aiosmtpd handler: each accepted message becomes `<time>-<n>.eml` in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{next(self._numbers):04d}.eml"
        # Written whole, then renamed: a reader never sees half an e-mail.
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.rename(path)
        subject = message_from_bytes(content, policy=policy.default).get("Subject", "")
        log.info("%s → %s: %s", ", ".join(envelope.rcpt_tos), path.name, _text(subject))
        return "250 Message accepted for delivery"


def _text(header: str) -> str:
    return str(make_header(decode_header(header)))


def start_catcher(host: str, port: int, folder: Path) -> Controller:
    """A running catcher (stop it with `.stop()`); port 0 lets the OS pick one."""
    controller = Controller(MailFolder(folder), hostname=host, port=port)
    controller.start()
    return controller


def run_catcher(host: str, port: int, folder: Path) -> None:
    # aiosmtpd logs every SMTP command at INFO; one line per e-mail (ours) is what helps.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = start_catcher(host, port, folder)
    log.info("listening on %s:%s, writing e-mails to %s", host, controller.port, folder)
    try:
        asyncio.run(_forever())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


async def _forever() -> None:
    await asyncio.Event().wait()
