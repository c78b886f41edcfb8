"""The *test print* button: a sample ticket sent straight to a kiosk's printer, and its answer.

Not a print job: a job belongs to a ticket, and a test is no ticket (nor a number in the day's
sequence). It goes through the spooler's own printer factory and agent hub, so it reaches the
printer by the same road the tickets take, and says at once whether it printed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from skranke.printers._interface import PrinterError, PrinterStatus
from skranke.printers.connections import AgentPrinter, send_async
from skranke.printers.render import render_ticket
from skranke.printers.spooler import Spooler
from skranke.printers.ticket import TicketPrint

# A job id no ticket has (ids start at 1): the agent acknowledges it like any other.
TEST_JOB_ID = -1


@dataclass(frozen=True)
class TestOutcome:
    printed: bool
    status: str  # a PrinterStatus value, or "error"
    detail: str = ""


def sample_ticket(branch: str, footer: str, now: datetime, public_url: str) -> TicketPrint:
    return TicketPrint(
        branch=branch,
        number="TEST",
        service="Testudskrift · Test print",
        issued_at=now,
        position=0,
        wait_minutes=None,
        qr_url=public_url,
        footer=footer,
    )


async def test_print(spooler: Spooler, url: str, ticket: TicketPrint) -> TestOutcome:
    timeout = spooler.settings.timeout_seconds
    try:
        printer = spooler.printer_factory(url, timeout)
        data = await asyncio.to_thread(render_ticket, ticket)
        if isinstance(printer, AgentPrinter):
            await spooler.agents.deliver(printer.kiosk_id, TEST_JOB_ID, data, 2 * timeout + 5)
            return TestOutcome(True, PrinterStatus.READY.value)
        await send_async(printer, data, timeout)
    except PrinterError as exc:
        return TestOutcome(False, "error", str(exc))
    return TestOutcome(True, (await _status(spooler, url)).value)


async def _status(spooler: Spooler, url: str) -> PrinterStatus:
    probe = spooler.settings.probe_seconds
    try:
        printer = spooler.printer_factory(url, probe)
        async with asyncio.timeout(probe + 1):
            return await asyncio.to_thread(printer.status)
    except (PrinterError, TimeoutError, OSError):
        return PrinterStatus.UNKNOWN
