"""The spooler against a real SQLite database and a fake printer (DummyPrinter)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.demo import BRANCH, load_demo
from skranke.printers.connections import DummyPrinter, PrinterError, PrinterStatus
from skranke.printers.spooler import PrintOutcome, Spooler, SpoolSettings
from skranke.queue import issuing
from skranke.queue.views import QueuePolicy
from skranke.store import print_jobs
from skranke.store.engine import Database
from skranke.store.tables import device_t

pytestmark = pytest.mark.anyio
T = TypeVar("T")
FAST = SpoolSettings(
    wait_seconds=1.0,
    timeout_seconds=1.0,
    probe_seconds=0.2,
    retry_seconds=0.05,
    retry_max_seconds=0.2,
    drop_after_seconds=60,
    scan_seconds=0.02,
)


@dataclass
class Kiosk:
    db: Database
    spooler: Spooler
    printer: DummyPrinter
    device_id: int
    published: list[dict[str, Any]]
    # Each ticket's tracking token, in the order taken; its QR carries it to the printer.
    tracking: list[bytes] = field(default_factory=list)

    async def take_ticket(self, service: str = "flytning") -> tuple[int, PrintOutcome]:
        ticket, job = await self.db.write(
            issuing.issue_with_print,
            self.device_id,
            BRANCH,
            service,
            datetime.now(UTC),
            QueuePolicy(),
        )
        assert job is not None
        self.tracking.append(ticket.tracking.encode())
        return job, await self.spooler.submit(job, self.device_id)

    async def job(self, job_id: int) -> dict[str, Any]:
        return await self.db.read(print_jobs.job_status, job_id)

    def alerts(self) -> list[tuple[str, str | None]]:
        kinds = ("printer.alert", "printer.recovered")
        return [(e["type"], e.get("problem")) for e in self.published if e["type"] in kinds]


def kiosk_id(conn: Connection) -> int:
    found: int = conn.execute(
        sa.select(device_t.c.id).where(device_t.c.key == "kiosk-1")
    ).scalar_one()
    return found


async def start_kiosk(url: str, settings: SpoolSettings) -> Kiosk:
    db = Database(url)
    db.start()
    await db.write(load_demo, datetime.now(UTC), "network://printer.invalid:9100")
    printer = DummyPrinter()
    published: list[dict[str, Any]] = []
    db.listeners.append(published.extend)
    spooler = Spooler(
        db, settings, "https://skranke.example", printer_factory=lambda url, timeout: printer
    )
    await spooler.start()
    return Kiosk(db, spooler, printer, await db.read(kiosk_id), published)


@pytest.fixture
async def kiosk(sqlite_db: str) -> AsyncIterator[Kiosk]:
    k = await start_kiosk(sqlite_db, FAST)
    try:
        yield k
    finally:
        await k.spooler.stop()
        await k.db.stop()


async def eventually(check: Callable[[], Awaitable[T]], within: float = 5.0) -> T:
    deadline = time.monotonic() + within
    while not (value := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Expected a truthy result within {within} s, got {value!r}")
        await asyncio.sleep(0.02)
    return value


def printer_off(printer: DummyPrinter) -> None:
    printer.fail = PrinterError("connection refused (printer off?)")
    printer.current_status = PrinterStatus.UNREACHABLE


def printer_on(printer: DummyPrinter) -> None:
    printer.fail = None
    printer.current_status = PrinterStatus.READY


async def test_a_ready_printer_prints_before_the_kiosk_gets_its_answer(kiosk: Kiosk) -> None:
    job, outcome = await kiosk.take_ticket()

    assert outcome == PrintOutcome("printed")
    assert len(kiosk.printer.printed) == 1 and kiosk.tracking[0] in kiosk.printer.printed[0]
    printed = await eventually(lambda: _status_is(kiosk, job, "printed"))
    assert printed["attempts"] == 1 and printed["last_error"] is None


async def _status_is(kiosk: Kiosk, job: int, status: str) -> dict[str, Any] | None:
    row = await kiosk.job(job)
    return row if row["status"] == status else None


async def test_a_printer_that_is_off_is_retried_until_it_prints(kiosk: Kiosk) -> None:
    printer_off(kiosk.printer)
    job, outcome = await kiosk.take_ticket()
    await eventually(lambda: _attempts_at_least(kiosk, job, 2))

    printer_on(kiosk.printer)
    printed = await eventually(lambda: _status_is(kiosk, job, "printed"))

    assert outcome.status == "failed" and "printer off" in outcome.detail
    assert printed["attempts"] >= 2  # retried: the first attempt failed
    assert len(kiosk.printer.printed) == 1
    assert kiosk.alerts() == [("printer.alert", "unreachable"), ("printer.recovered", None)]


async def _attempts_at_least(kiosk: Kiosk, job: int, count: int) -> bool:
    return int((await kiosk.job(job))["attempts"]) >= count


async def test_a_permanent_error_fails_the_job_without_retrying(kiosk: Kiosk) -> None:
    kiosk.printer.fail = PrinterError("no such printer queue", permanent=True)

    job, outcome = await kiosk.take_ticket()
    await asyncio.sleep(10 * FAST.retry_seconds)

    row = await kiosk.job(job)
    assert outcome.status == "failed"
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "failed",
        1,
        "no such printer queue",
    )
    assert kiosk.alerts() == [("printer.alert", "misconfigured")]


async def test_tickets_made_while_the_printer_was_off_print_in_order(kiosk: Kiosk) -> None:
    printer_off(kiosk.printer)
    made = [await kiosk.take_ticket() for _ in range(3)]

    printer_on(kiosk.printer)
    await eventually(lambda: _status_is(kiosk, made[-1][0], "printed"))

    # Each ticket's QR carries its own tracking link, so the printed order is readable.
    printed = [t for data in kiosk.printer.printed for t in kiosk.tracking if t in data]
    assert printed == kiosk.tracking and len(printed) == 3
    assert [outcome.status for _, outcome in made] == ["failed"] * 3


async def test_while_the_printer_is_known_away_the_kiosk_is_answered_at_once(
    kiosk: Kiosk,
) -> None:
    printer_off(kiosk.printer)
    await kiosk.take_ticket()
    kiosk.spooler.settings = dataclasses.replace(FAST, wait_seconds=30)

    started = time.monotonic()
    _, outcome = await kiosk.take_ticket()

    assert outcome.status == "failed"
    assert time.monotonic() - started < 1


async def test_running_out_of_paper_raises_an_alert_and_holds_the_next_ticket(
    kiosk: Kiosk,
) -> None:
    kiosk.printer.current_status = PrinterStatus.PAPER_OUT
    _, first = await kiosk.take_ticket()
    await eventually(lambda: _alerted(kiosk))

    second, held = await kiosk.take_ticket()
    kiosk.printer.current_status = PrinterStatus.READY
    await eventually(lambda: _status_is(kiosk, second, "printed"))

    assert (first.status, held.status) == ("printed", "failed")
    assert len(kiosk.printer.printed) == 2
    assert kiosk.alerts() == [("printer.alert", "paper_out"), ("printer.recovered", None)]


async def _alerted(kiosk: Kiosk) -> bool:
    return bool(kiosk.alerts())


async def test_a_job_the_printer_never_takes_is_dropped_with_an_alert(sqlite_db: str) -> None:
    k = await start_kiosk(sqlite_db, dataclasses.replace(FAST, drop_after_seconds=0.3))
    try:
        printer_off(k.printer)
        job, _ = await k.take_ticket()

        await eventually(lambda: _status_is(k, job, "dropped"))
        dropped = [e for e in k.published if e.get("problem") == "dropped"]

        assert dropped and dropped[0]["tickets"] == ["F001"] and dropped[0]["device"] == "kiosk-1"
    finally:
        await k.spooler.stop()
        await k.db.stop()


async def test_a_kiosk_without_printer_makes_no_print_job(kiosk: Kiosk) -> None:
    await kiosk.db.write(
        lambda conn: conn.execute(sa.update(device_t).values(printer_url=None)).rowcount
    )

    _, job = await kiosk.db.write(
        issuing.issue_with_print, kiosk.device_id, BRANCH, "laan", datetime.now(UTC), QueuePolicy()
    )

    assert job is None
    assert await kiosk.spooler.submit(job, kiosk.device_id) == PrintOutcome("no_printer")
