"""When each kiosk and display was last heard from (`device.last_contact_at`), cheaply.

Kiosks send their token with every ticket, and the ticket path is benchmarked: one UPDATE per
request would cost the SQLite writer a statement per ticket. So contacts are noted in memory
and written at most once per `EVERY_SECONDS` per device, off the request, by a task of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from skranke.store import accounts
from skranke.store.engine import Database

log = logging.getLogger(__name__)
EVERY_SECONDS = 60.0


class DeviceContacts:
    def __init__(
        self,
        db: Callable[[], Database],
        clock: Callable[[], datetime],
        every: float = EVERY_SECONDS,
    ) -> None:
        self._db, self._clock, self.every = db, clock, every
        self._written: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def seen(self, device_id: int) -> None:
        """Note a request of the device; the first in a minute is written down."""
        now = time.monotonic()
        last = self._written.get(device_id)
        if last is not None and now - last < self.every:
            return
        self._written[device_id] = now
        task = asyncio.get_running_loop().create_task(self._write(device_id, self._clock()))
        # Kept until done: the loop holds tasks only weakly.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write(self, device_id: int, at: datetime) -> None:
        try:
            await self._db().write(accounts.record_contact, device_id, at)
        except Exception as exc:  # a missed contact is not worth failing anything for
            log.warning("Could not record the contact of device %s: %s", device_id, exc)
            self._written.pop(device_id, None)

    async def drain(self) -> None:
        """Wait for the writes under way (before the database closes)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
