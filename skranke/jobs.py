"""Scheduled jobs (APScheduler 3.11, in-memory job store), started and stopped in the lifespan.

Every job is an interval job that scans the database for due work and calls one idempotent
service function, so a missed or doubled run does no harm. With several server processes on
PostgreSQL only the one holding a session-level advisory lock runs them; SQLite means one
process anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from skranke.config import Settings
from skranke.notify.dispatch import Notifier
from skranke.queue import housekeeping, ticket_notices
from skranke.store.engine import Database
from skranke.store.locks import LeaderLock

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


async def remind(db: Database, now: datetime, settings: Settings) -> int:
    before = timedelta(hours=settings.reminder_hours_before)
    notice = timedelta(hours=settings.reminder_min_notice_hours)
    return await db.write(housekeeping.queue_reminders, now, before, notice)


async def sweep_no_shows(db: Database, now: datetime, settings: Settings) -> int:
    grace = timedelta(minutes=settings.no_show_grace_minutes)
    return await db.write(housekeeping.sweep_no_shows, now, grace)


async def close_day(db: Database, now: datetime, settings: Settings) -> int:
    return await db.write(housekeeping.close_day, now)


async def purge(db: Database, now: datetime, settings: Settings) -> int:
    retention = timedelta(days=settings.retention_days)
    return await db.write(housekeeping.purge_personal_data, now, retention)


async def forget_keys(db: Database, now: datetime, settings: Settings) -> int:
    return await db.write(housekeeping.forget_idempotency_keys, now)


Job = Callable[[Database, datetime, Settings], Awaitable[int]]


class Jobs:
    def __init__(self, db: Database, settings: Settings, notifier: Notifier, clock: Clock) -> None:
        self.db, self.settings, self.notifier, self.clock = db, settings, notifier, clock
        self.lock = LeaderLock(db)
        self.scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        every = self.settings.jobs_interval_seconds
        plan: list[tuple[str, Job, int]] = [
            ("reminders", remind, every),
            ("no-shows", sweep_no_shows, every),
            ("outbox", self._send_outbox, every),
            ("ticket-sms", self._text_third, every),
            # Hourly is soon enough after closing time, and keeps a short test run untouched.
            ("close-day", close_day, max(every, 15 * 60)),
            ("purge", purge, max(every, 3600)),
            ("idempotency-keys", forget_keys, max(every, 3600)),
        ]
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        for name, job, seconds in plan:
            self.scheduler.add_job(
                self._run,
                "interval",
                args=[name, job],
                seconds=seconds,
                id=name,
                max_instances=1,
                coalesce=True,
            )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        await self.lock.release()

    async def _send_outbox(self, db: Database, now: datetime, settings: Settings) -> int:
        return await self.notifier.send_due(db, now)

    async def _text_third(self, db: Database, now: datetime, settings: Settings) -> int:
        # Sent straight away, not at the outbox job's next run.
        queued = await db.write(ticket_notices.check, now)
        if queued:
            await self.notifier.send_due(db, now)
        return queued

    async def _run(self, name: str, job: Job) -> None:
        if not await self.lock.held():
            return
        try:
            done = await job(self.db, self.clock(), self.settings)
        except Exception:
            log.exception("Scheduled job %s failed; it runs again at its next interval", name)
        else:
            if done:
                log.info("Scheduled job %s: %d done", name, done)
