"""Starting and stopping the live parts together: the hub first, then the bus that feeds it."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from skranke.displays.bus import Bus, bus_for
from skranke.displays.hub import Hub
from skranke.displays.link import LiveOptions
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database


@dataclass
class Live:
    hub: Hub
    bus: Bus

    async def stop(self) -> None:
        await self.bus.stop()
        await self.hub.stop()


async def start_live(
    db: Database, policy: QueuePolicy, clock: Callable[[], datetime], options: LiveOptions
) -> Live:
    hub = Hub(db, policy, clock, options)
    await hub.start()
    bus = bus_for(db, hub.publish, hub.resync_all)
    await bus.start()
    # Everything imported and built so far lives as long as the process: keeping it out of
    # the collector's full passes shortens the pauses that would hold up a call's fan-out.
    gc.freeze()
    return Live(hub, bus)
