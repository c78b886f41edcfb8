"""Each branch's wait forecast rebuilt after its changes, off the writer thread.

Issuing a ticket reads the latest forecast and adds the tickets issued since
(`queue.waits.new_ticket_wait`); building one is a forward run of routing over the whole queue,
which on the one SQLite writer thread held up every kiosk in the building. Here it runs on the
read pool after the commit instead: shortly after the events (`DELAY_SECONDS`), at most one
build per branch in flight, and the next one no sooner than the last one's cost allows
(`SHARE` of the process's time per branch), so a queue of thousands cannot turn the refresher
into the server's main work. Display refreshes wait for the build due and then reuse it
(`settled`), rather than making their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from skranke.queue import waits
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database

log = logging.getLogger(__name__)
# A build starts this long after the event that asked for it: the events of one action (a
# call, a finish) share it, and a call's fan-out to the displays, which must be fast, is not
# competing with a forward run for the GIL (figures may follow the call; docs/performance.md).
DELAY_SECONDS = 0.1
# The soonest a branch's forecast is rebuilt after the last build began.
MIN_GAP_SECONDS = 0.05
# A build may take at most this share of the time between builds.
SHARE = 0.05


@dataclass
class _Branch:
    task: asyncio.Task[None] | None = None
    # An event arrived after the next build read the room: another build follows.
    dirty: bool = False
    next_start: float = 0.0
    # The next build: when it starts, and a future done (never failed) when it has ended.
    starts_at: float = 0.0
    round: asyncio.Future[None] | None = None


class Forecasts:
    def __init__(self, db: Database, policy: QueuePolicy, clock: Callable[[], datetime]) -> None:
        self.db, self.policy, self.clock = db, policy, clock
        self._branches: dict[int, _Branch] = {}
        self.builds = 0

    def changed(self, branch_id: int) -> None:
        """The branch's queue or counters changed (a committed event); never waits."""
        branch = self._branches.setdefault(branch_id, _Branch())
        if branch.task is not None:
            branch.dirty = True
            return
        branch.task = asyncio.create_task(self._build(branch_id, branch))

    async def settled(self, branch_id: int, within: float = 0.0) -> None:
        """Return once the branch's build now running, or starting within `within` seconds,
        is done (and cached). A build further off is not waited for: the figures would come
        too late, and the caller makes its own."""
        branch = self._branches.get(branch_id)
        if branch is None or branch.round is None:
            return
        if branch.starts_at - asyncio.get_running_loop().time() <= within:
            await asyncio.shield(branch.round)

    async def stop(self) -> None:
        tasks = [b.task for b in self._branches.values() if b.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _build(self, branch_id: int, branch: _Branch) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                branch.starts_at = max(branch.next_start, loop.time() + DELAY_SECONDS)
                branch.round = done = loop.create_future()
                try:
                    await asyncio.sleep(branch.starts_at - loop.time())
                    branch.dirty = False
                    began = loop.time()
                    built = await self._read(branch_id)
                finally:
                    branch.round = None
                    done.set_result(None)
                self.builds += built
                # Wall time, waits for the pool and the GIL included: a busy server builds
                # less often, which is when it can least afford to.
                took = loop.time() - began
                branch.next_start = began + max(MIN_GAP_SECONDS, took / SHARE)
                if not branch.dirty:
                    return
        finally:
            branch.task = None

    async def _read(self, branch_id: int) -> bool:
        try:
            built: bool = await self.db.read(waits.refresh, branch_id, self.clock(), self.policy)
        except Exception:
            # The next event tries again; pages and the writer build their own meanwhile.
            log.exception("Could not refresh the wait forecast of branch %s", branch_id)
            return False
        return built
