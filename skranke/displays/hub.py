"""The websocket hub: routes committed events to the connected pages of their branch.

Events arrive from the bus as batches and are handled in order by one worker task. A call is
announced at once, serialised once for every display; counter and phone pages touched by an
event get their fresh state; a kiosk printer's alert or recovery goes to every counter page of
its branch; queue figures, which every event moves a little, are recomputed
at most once per `refresh_delay_seconds` per branch and pushed to all its pages, so 500
displays receiving a call cause no storm of reads.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from skranke.displays import snapshots, supervisor
from skranke.displays.forecasts import Forecasts
from skranke.displays.link import Link, LiveOptions, dumps
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database

log = logging.getLogger(__name__)
Event = dict[str, Any]
TICKET_AREAS_KEPT = 5_000


class Hub:
    def __init__(
        self,
        db: Database,
        policy: QueuePolicy,
        clock: Callable[[], datetime],
        options: LiveOptions,
    ) -> None:
        self.db, self.policy, self.clock, self.options = db, policy, clock, options
        self.pid = os.getpid()
        self.links: dict[int, set[Link]] = defaultdict(set)
        self._inbox: asyncio.Queue[list[Event]] = asyncio.Queue()
        # Bumped by every event of a branch; a display snapshot read at the current value is
        # still right, so displays connecting together share one read.
        self._generation: dict[int, int] = defaultdict(int)
        self._display_states: dict[tuple[int, str | None], tuple[int, asyncio.Task[Event]]] = {}
        self._refresh_due: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Service key -> area per branch, so announcing a call needs no database read.
        self._areas: dict[int, dict[str, str]] = {}
        # Recent ticket id -> area: a recall event names no service.
        self._ticket_areas: OrderedDict[int, str] = OrderedDict()
        # Every branch's wait forecast, rebuilt after its events off the writer thread.
        self.forecasts = Forecasts(db, policy, clock)

    async def start(self) -> None:
        for work in (self._work(), self._watch()):
            self._keep(asyncio.create_task(work))

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.forecasts.stop()

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def publish(self, events: list[Event]) -> None:
        """Called by the bus in the event loop; never waits."""
        for event in events:
            if event.get("branch_id") is not None:
                self._generation[event["branch_id"]] += 1
        for branch_id in {e["branch_id"] for e in events if e.get("branch_id") is not None}:
            self.forecasts.changed(branch_id)
        self._inbox.put_nowait(events)

    def resync_all(self) -> None:
        """Every page gets a fresh snapshot: events may have been missed (bus reconnected)."""
        self._generation.clear()
        self._display_states.clear()
        self._areas.clear()
        for links in self.links.values():
            for link in links:
                link.resync()

    async def serve(self, link: Link) -> None:
        # Registered before the snapshot is read, so no event can fall between the two.
        self.links[link.branch_id].add(link)
        try:
            await link.run()
        finally:
            self.links[link.branch_id].discard(link)
            if not self.links[link.branch_id]:
                del self.links[link.branch_id]

    async def display_state(self, branch_id: int, area: str | None) -> Event:
        generation = self._generation[branch_id]
        cached = self._display_states.get((branch_id, area))
        if cached is None or cached[0] != generation or cached[1].cancelled():
            read = self.db.read(snapshots.display_state, branch_id, area, self.clock(), self.policy)
            task = asyncio.ensure_future(read)
            self._display_states[(branch_id, area)] = (generation, task)
            cached = (generation, task)
        # A failed read is not cached for the next display: it retries with its own.
        try:
            return await asyncio.shield(cached[1])
        except Exception:
            self._display_states.pop((branch_id, area), None)
            raise

    async def _watch(self) -> None:
        """Heartbeats for idle links and an end for hung sends, on one timer for all links."""
        every = min(1.0, self.options.heartbeat_seconds / 4, self.options.send_timeout_seconds / 4)
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(every)
            now = loop.time()
            for links in list(self.links.values()):
                for link in list(links):
                    link.tick(now)

    async def _work(self) -> None:
        while True:
            events = await self._inbox.get()
            try:
                await self._dispatch(events)
            except Exception:
                # One bad batch must not silence every page for the rest of the day.
                log.exception("Could not deliver %d live events", len(events))

    async def _dispatch(self, events: list[Event]) -> None:
        by_branch: dict[int, list[Event]] = defaultdict(list)
        for event in events:
            if event.get("branch_id") is not None:
                by_branch[event["branch_id"]].append(event)
        for branch_id, mine in by_branch.items():
            links = self.links.get(branch_id)
            if links:
                await self._dispatch_branch(branch_id, mine, list(links))

    async def _dispatch_branch(
        self, branch_id: int, events: list[Event], links: list[Link]
    ) -> None:
        if any(event.get("truncated") for event in events):
            for link in links:
                link.resync()
            return
        calls = [e for e in events if e["type"] in snapshots.CALL_KINDS and e.get("ticket_id")]
        areas = await self._call_areas(branch_id, calls)
        self._announce(calls, areas, links)
        if any(link.kind == "ticket" for link in links):
            ids = {e["ticket_id"] for e in events if e.get("ticket_id") is not None}
            ids |= {e["to_ticket_id"] for e in events if e.get("to_ticket_id") is not None}
            facts = await self.db.read(snapshots.ticket_facts, ids) if ids else {}
            await self._update_tickets({tracking for _, tracking in facts.values()}, links)
        await self._update_counters(events, links)
        await self._update_printers(branch_id, events, links)
        self._schedule_refresh(branch_id)

    async def _call_areas(self, branch_id: int, calls: list[Event]) -> dict[int, str]:
        """ticket id -> service area for the calls, read from the database only when new."""
        if not calls:
            return {}
        if branch_id not in self._areas:
            self._areas[branch_id] = await self.db.read(snapshots.service_areas, branch_id)
        known = self._areas[branch_id]
        areas = {}
        for event in calls:
            area = known.get(event.get("service", "")) or self._ticket_areas.get(event["ticket_id"])
            if area is not None:
                areas[event["ticket_id"]] = area
        missing = {e["ticket_id"] for e in calls} - areas.keys()
        if missing:
            facts = await self.db.read(snapshots.ticket_facts, missing)
            areas.update({ticket: area for ticket, (area, _) in facts.items()})
        for ticket, area in areas.items():
            self._ticket_areas[ticket] = area
            self._ticket_areas.move_to_end(ticket)
        while len(self._ticket_areas) > TICKET_AREAS_KEPT:
            self._ticket_areas.popitem(last=False)
        return areas

    def _announce(self, calls: list[Event], areas: dict[int, str], links: list[Link]) -> None:
        displays = [link for link in links if link.kind == "display"]
        for event in calls:
            area = areas.get(event["ticket_id"])
            if area is None:
                continue
            body = dumps(snapshots.call_json(event, area))
            for link in displays:
                if link.area in (None, area):
                    link.offer(body)

    async def _update_counters(self, events: list[Event], links: list[Link]) -> None:
        touched = {e.get("counter_id") for e in events} | {e.get("to_counter_id") for e in events}
        counters = [link for link in links if link.kind == "counter" and link.counter_id in touched]
        for counter_id in {link.counter_id for link in counters}:
            assert counter_id is not None
            state = await self.db.read(snapshots.counter_state, counter_id, self.policy)
            body = dumps({"type": "counter", **state})
            for link in counters:
                if link.counter_id == counter_id:
                    link.offer(body)

    async def _update_printers(
        self, branch_id: int, events: list[Event], links: list[Link]
    ) -> None:
        """Every counter page of the branch hears at once of a kiosk printer's problem and
        of its end: staff are the ones who go and change the paper."""
        news = [e for e in events if e["type"] in snapshots.PRINTER_KINDS]
        counters = [link for link in links if link.kind == "counter"]
        if not news or not counters:
            return
        printers = await self.db.read(snapshots.branch_printers, branch_id, self.clock())
        for event in news:
            body = dumps(snapshots.printer_json(event, printers))
            for link in counters:
                link.offer(body)

    async def _update_tickets(self, trackings: set[str], links: list[Link]) -> None:
        phones = [link for link in links if link.kind == "ticket" and link.tracking in trackings]
        for tracking in {link.tracking for link in phones}:
            assert tracking is not None
            ticket = await self.db.read(snapshots.ticket_state, tracking, self.policy)
            self._offer_ticket(tracking, ticket, phones)

    def _offer_ticket(self, tracking: str, ticket: Event | None, links: Iterable[Link]) -> None:
        if ticket is None:
            return
        body = ticket_body(ticket)
        for link in links:
            if link.tracking == tracking and link.last_body != body:
                link.last_body, link.waiting = body, ticket["state"] == "waiting"
                link.offer(body)

    def _schedule_refresh(self, branch_id: int) -> None:
        if branch_id in self._refresh_due:
            return
        self._refresh_due.add(branch_id)
        self._keep(asyncio.create_task(self._refresh(branch_id)))

    async def _refresh(self, branch_id: int) -> None:
        await asyncio.sleep(self.options.refresh_delay_seconds)
        # Events from here on schedule the next refresh; this one may already include them.
        self._refresh_due.discard(branch_id)
        links = list(self.links.get(branch_id, ()))
        if not links:
            return
        try:
            # The figures come from the forecast being built for these events: wait for it
            # rather than build a second one beside it.
            await self.forecasts.settled(branch_id, self.options.refresh_delay_seconds)
            fresh = await self.db.read(
                snapshots.branch_refresh,
                branch_id,
                {link.area for link in links if link.kind == "display"},
                {link.counter_id for link in links if link.counter_id is not None},
                {link.tracking for link in links if link.tracking and link.waiting},
                self.clock(),
                self.policy,
            )
        except Exception:
            log.exception("Could not refresh the queue figures of branch %s", branch_id)
            return
        self._push_refresh(fresh, links)
        await self._update_supervisors(branch_id, links)

    async def _update_supervisors(self, branch_id: int, links: list[Link]) -> None:
        """The supervisor view is sent whole: it shows the whole room, and few pages watch it."""
        watching = [link for link in links if link.kind == "supervisor"]
        if not watching:
            return
        try:
            state = await self.db.read(
                supervisor.supervisor_state, branch_id, self.clock(), self.policy
            )
        except Exception:
            log.exception("Could not refresh the supervisor view of branch %s", branch_id)
            return
        body = dumps({"type": "supervisor", **state})
        for link in watching:
            link.offer(body)

    def _push_refresh(self, fresh: snapshots.Refresh, links: list[Link]) -> None:
        areas = {area: dumps({"type": "queue", "areas": f}) for area, f in fresh.areas.items()}
        counters = {c: dumps({"type": "queue", **q}) for c, q in fresh.counters.items()}
        for link in links:
            if link.kind == "display" and link.area in areas:
                link.offer(areas[link.area])
            elif link.kind == "counter" and link.counter_id in counters:
                link.offer(counters[link.counter_id])
        for tracking, ticket in fresh.tickets.items():
            self._offer_ticket(tracking, ticket, links)


def ticket_body(ticket: Event) -> str:
    return dumps({"type": "ticket", "ticket": ticket})
