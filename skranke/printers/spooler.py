"""The spooler: prints queued jobs per kiosk, retries when the printer returns, raises alerts.

One asyncio task scans for due work; one worker task per kiosk prints that kiosk's jobs in
the order they were made. A passing error (printer off, paper out, agent away) postpones all
of the kiosk's jobs with a growing delay; a permanent one (bad URL) fails the job for good.
Problems are recorded as `printer.alert` events, once per change, and `printer.recovered`
when the printer prints again. Started and stopped in the web app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from skranke.queue import issuing
from skranke.queue.issuing import PrinterProblem
from skranke.store import print_jobs
from skranke.store.engine import Database, is_outage
from skranke.store.print_jobs import PendingJob

from .agent_hub import AgentHub
from .connections import (
    AgentPrinter,
    Printer,
    PrinterError,
    PrinterStatus,
    printer_from_url,
    send_async,
)
from .render import render_ticket
from .ticket import TicketPrint, ticket_of_job

log = logging.getLogger(__name__)
PrinterFactory = Callable[[str, float], Printer]
# language, key, name_da, name_en, names (service.names: the other kiosk languages)
PrintStatus = Literal["no_printer", "queued", "printed", "failed"]  # the API's `print.status`

# Problems that stop printing; paper low is a warning and tickets still print.
PROBLEM_OF_STATUS = {
    PrinterStatus.UNREACHABLE: PrinterProblem.UNREACHABLE,
    PrinterStatus.OFFLINE: PrinterProblem.OFFLINE,
    PrinterStatus.PAPER_OUT: PrinterProblem.PAPER_OUT,
    PrinterStatus.PAPER_LOW: PrinterProblem.PAPER_LOW,
}
WARNINGS = frozenset({PrinterProblem.PAPER_LOW})
BATCH = 50  # jobs read per round; a printer back from an outage works through them in order


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name) or ""
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"Expected a number of seconds in {name}, but got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"Expected {name} > 0, but got {raw!r}")
    return value


@dataclass(frozen=True)
class SpoolSettings:
    # How long a ticket request waits for its first print attempt before answering "queued".
    wait_seconds: float = 1.5
    # Printer I/O budget per job (connect + send), and per status probe.
    timeout_seconds: float = 10.0
    probe_seconds: float = 2.0
    # First retry delay after a passing error, doubling per failure up to the maximum.
    retry_seconds: float = 2.0
    retry_max_seconds: float = 30.0
    # A job still not printed after this long is dropped, with an alert naming its ticket.
    drop_after_seconds: float = 900.0
    scan_seconds: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SpoolSettings:
        env = os.environ if env is None else env
        d = cls()
        retry = _float(env, "SKRANKE_PRINT_RETRY_SECONDS", d.retry_seconds)
        return cls(
            wait_seconds=_float(env, "SKRANKE_PRINT_WAIT_SECONDS", d.wait_seconds),
            timeout_seconds=_float(env, "SKRANKE_PRINT_TIMEOUT_SECONDS", d.timeout_seconds),
            probe_seconds=_float(env, "SKRANKE_PRINT_PROBE_SECONDS", d.probe_seconds),
            retry_seconds=retry,
            retry_max_seconds=max(retry, _float(env, "SKRANKE_PRINT_RETRY_MAX_SECONDS", 30.0)),
            drop_after_seconds=_float(env, "SKRANKE_PRINT_DROP_AFTER_SECONDS", 900.0),
            # Scanning more often than retrying is pointless; less often would delay retries.
            scan_seconds=min(d.scan_seconds, retry / 2),
        )


class OutOfPaper(PrinterError):
    pass


@dataclass(frozen=True)
class PrintOutcome:
    status: PrintStatus
    detail: str = ""


@dataclass
class DeviceState:
    problem: PrinterProblem | None = None
    failures: int = 0
    retry_at: float = 0.0  # loop time
    answers_status: bool | None = None  # None: not asked yet
    url: str | None = None


@dataclass
class Spooler:
    db: Database
    settings: SpoolSettings = field(default_factory=SpoolSettings)
    public_url: str = "http://127.0.0.1:8000"
    printer_factory: PrinterFactory = printer_from_url
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    agents: AgentHub = field(default_factory=AgentHub)

    def __post_init__(self) -> None:
        self._devices: dict[int, DeviceState] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        self._waiting: dict[int, tuple[int, asyncio.Future[PrintOutcome]]] = {}
        self._printers: dict[tuple[str, float], Printer] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.agents.on_connect = self._agent_connected

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="skranke-spooler")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._workers.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None
        self._resolve(lambda _job, _device: True, PrintOutcome("queued", "server stopping"))

    async def submit(self, job_id: int | None, device_id: int | None) -> PrintOutcome:
        """Start printing a just-made job; its outcome, or "queued" if that takes a while."""
        if job_id is None or device_id is None:
            return PrintOutcome("no_printer")
        state = self._devices.get(device_id)
        loop = asyncio.get_running_loop()
        if state and state.problem not in (None, *WARNINGS) and state.retry_at > loop.time():
            # Known to be away: answer at once; the scheduled retry prints it later.
            return PrintOutcome("failed", f"printer {state.problem}; printed when it is back")
        future: asyncio.Future[PrintOutcome] = loop.create_future()
        self._waiting[job_id] = (device_id, future)
        self.kick(device_id)
        try:
            async with asyncio.timeout(self.settings.wait_seconds):
                return await asyncio.shield(future)
        except TimeoutError:
            return PrintOutcome("queued", "still printing")
        finally:
            self._waiting.pop(job_id, None)

    def kick(self, device_id: int) -> None:
        """Print the device's jobs now (again, if its worker is busy)."""
        self._dirty.add(device_id)
        if device_id not in self._workers:
            self._workers[device_id] = asyncio.create_task(self._drain(device_id))

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._tick()
            except Exception as exc:
                # The database may be restarting; the next tick tries again.
                if is_outage(exc):
                    log.warning("Print spooler waits for the database: %s", exc)
                else:
                    log.exception("Print spooler scan failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.scan_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def _tick(self) -> None:
        now = self.clock()
        drop_before = now - timedelta(seconds=self.settings.drop_after_seconds)
        due, expired = await self.db.read(print_jobs.scan, now, drop_before)
        if expired:
            dropped = await self.db.write(issuing.drop, expired, now)
            log.warning("Dropped %d print job(s) of %s", len(expired), dropped)
            gone = set(expired)
            self._resolve(lambda job, _: job in gone, PrintOutcome("failed", "dropped"))
        loop_now = asyncio.get_running_loop().time()
        for device_id in due:
            state = self._devices.get(device_id)
            if state is None or state.retry_at <= loop_now:
                self.kick(device_id)

    async def _drain(self, device_id: int) -> None:
        try:
            while device_id in self._dirty:
                self._dirty.discard(device_id)
                await self._print_device(device_id)
        except Exception as exc:
            log.exception("Printing for device %s failed", device_id)
            outcome = PrintOutcome("queued", f"spooler error: {exc}")
            self._resolve(lambda _, device: device == device_id, outcome)
        finally:
            self._workers.pop(device_id, None)

    async def _print_device(self, device_id: int) -> None:
        state = self._devices.setdefault(device_id, DeviceState())
        found = await self.db.read(print_jobs.device_jobs, device_id, self.clock(), BATCH)
        for job in found:
            state.url = job.printer_url
            if not await self._print_one(job, state):
                return  # the printer is away: the rest waits for the retry
        if len(found) == BATCH:
            self._dirty.add(device_id)  # a long queue after an outage: on to the next batch

    async def _print_one(self, job: PendingJob, state: DeviceState) -> bool:
        """Print one job; False when a passing error means the device's later jobs must wait."""
        lease = timedelta(seconds=2 * self.settings.timeout_seconds + 10)
        if not await self.db.write(print_jobs.claim, job.id, self.clock(), lease):
            return True  # another process has it, or it was dropped meanwhile
        try:
            if not job.printer_url:
                raise PrinterError("the kiosk has no printer any more", permanent=True)
            printer = self._printer(job.printer_url, self.settings.timeout_seconds)
            # A printer out of paper takes the bytes and prints them whenever paper comes.
            paper_out = state.problem is PrinterProblem.PAPER_OUT
            if paper_out and await self._still_out_of_paper(job.printer_url):
                raise OutOfPaper(f"{job.printer_url}: out of paper")
            data = await asyncio.to_thread(render_ticket, self._ticket(job))
            status = await self._send(printer, job.id, data)
        except (PrinterError, ValueError) as exc:
            error = exc if isinstance(exc, PrinterError) else PrinterError(str(exc), True)
            await self._failed(job, state, error)
            return error.permanent
        self._resolve(lambda job_id, _: job_id == job.id, PrintOutcome("printed"))
        if not isinstance(printer, AgentPrinter) and state.answers_status is not False:
            # Paper runs out between tickets: asking after each print warns staff in time.
            status = await self._probe(job.printer_url)
        await self._printed(job, state, status)
        return True

    async def _send(self, printer: Printer, job_id: int, data: bytes) -> PrinterStatus | None:
        timeout = self.settings.timeout_seconds
        if isinstance(printer, AgentPrinter):
            # The agent prints with its own timeout; allow for that plus the round trip.
            ack = await self.agents.deliver(printer.kiosk_id, job_id, data, 2 * timeout + 5)
            return _status(ack.get("status"))
        await send_async(printer, data, timeout)
        return None

    async def _printed(
        self, job: PendingJob, state: DeviceState, status: PrinterStatus | None
    ) -> None:
        state.failures, state.retry_at = 0, 0.0
        if status is PrinterStatus.UNKNOWN:
            state.answers_status = False  # it printed but keeps quiet: don't ask again
        elif status is not None:
            state.answers_status = True
        problem = PROBLEM_OF_STATUS.get(status) if status is not None else None
        changed = problem != state.problem
        detail = f"{job.printer_url}: {problem}" if problem else ""
        await self.db.write(
            issuing.record_printed,
            job.id,
            job.branch_id,
            job.device_key,
            self.clock(),
            (problem, detail) if changed else None,
        )
        state.problem = problem

    async def _failed(self, job: PendingJob, state: DeviceState, exc: PrinterError) -> None:
        now = self.clock()
        retry_at = None
        if exc.permanent:
            self._resolve(lambda job_id, _: job_id == job.id, PrintOutcome("failed", exc.message))
            problem = PrinterProblem.MISCONFIGURED
        else:
            state.failures += 1
            delay = min(
                self.settings.retry_max_seconds,
                self.settings.retry_seconds * 2 ** (state.failures - 1),
            ) * random.uniform(0.8, 1.2)
            state.retry_at = asyncio.get_running_loop().time() + delay
            retry_at = now + timedelta(seconds=delay)
            outcome = PrintOutcome("failed", f"{exc.message}; retried when the printer is back")
            self._resolve(lambda _, device: device == job.device_id, outcome)
            problem = await self._problem(job.printer_url or "", exc)
        log.warning("Print job %s for %s failed: %s", job.id, job.device_key, exc.message)
        changed = problem != state.problem
        await self.db.write(
            issuing.record_failure,
            job.id,
            job.device_id,
            job.branch_id,
            job.device_key,
            now,
            exc.message,
            retry_at,
            problem if changed else None,
        )
        state.problem = problem

    async def _problem(self, url: str, exc: PrinterError) -> PrinterProblem:
        """What staff should be told: ask the printer what is wrong, where it can say."""
        if isinstance(exc, OutOfPaper):
            return PrinterProblem.PAPER_OUT
        if exc.status is not None:
            return PROBLEM_OF_STATUS.get(exc.status, PrinterProblem.ERROR)
        if url.startswith("agent:"):
            away = "not connected" in exc.message
            return PrinterProblem.AGENT_OFFLINE if away else PrinterProblem.ERROR
        return PROBLEM_OF_STATUS.get(await self._probe(url), PrinterProblem.ERROR)

    async def _still_out_of_paper(self, url: str) -> bool:
        return await self._probe(url) is PrinterStatus.PAPER_OUT

    async def _probe(self, url: str | None) -> PrinterStatus:
        if not url:
            return PrinterStatus.UNKNOWN
        try:
            printer = self._printer(url, self.settings.probe_seconds)
            async with asyncio.timeout(self.settings.probe_seconds + 1):
                status = await asyncio.to_thread(printer.status)
        except (PrinterError, TimeoutError, OSError):
            return PrinterStatus.UNKNOWN
        return status

    def _printer(self, url: str, timeout: float) -> Printer:
        key = (url, timeout)
        if key not in self._printers:
            self._printers[key] = self.printer_factory(url, timeout)
        return self._printers[key]

    def _ticket(self, job: PendingJob) -> TicketPrint:
        return ticket_of_job(job, self.public_url)

    def _resolve(self, which: Callable[[int, int], bool], outcome: PrintOutcome) -> None:
        for job_id, (device_id, future) in list(self._waiting.items()):
            if which(job_id, device_id) and not future.done():
                future.set_result(outcome)

    def _agent_connected(self, key: str) -> None:
        # Jobs made while the agent was away go now, not at the next scheduled retry.
        for device_id, state in self._devices.items():
            if state.url == f"agent://{key}" or state.problem is PrinterProblem.AGENT_OFFLINE:
                state.retry_at = 0.0
                self.kick(device_id)
        self.wake()


def _status(value: object) -> PrinterStatus | None:
    try:
        return PrinterStatus(value)
    except ValueError:
        return None
