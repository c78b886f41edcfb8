"""Whole days on a virtual clock, through the real use cases, on a throwaway database.

Citizens arrive (Poisson, per service and hour) and take a ticket through the function the
kiosk API uses (`issuing.issue_with_print`), after looking at the kiosk button's wait
(`lookup.queue_status`, as the kiosk page does). Booked citizens were booked through
`bookings.book` and check in with `checkin.check_in`, early or late as the scenario says.
Counters open and close with their staffing blocks (`calling.set_counter_state`), call
through `calling.call_next` (the same claim and routing as the counter page), wait for the
citizen to walk up, serve (`tickets.act`) and finish after a lognormal handling time, or mark
a no-show. Every few virtual minutes each waiting citizen looks at the phone page
(`lookup.ticket_info`). Every wait shown is kept beside the wait the old estimator would
have shown, and compared afterwards with when the ticket was really called.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue import calling, lookup, tickets
from skranke.queue.booking_slots import BookingSpec, make_bookable
from skranke.queue.bookings import Contact, book
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec, create_branch
from skranke.queue.checkin import CheckinWindow, check_in
from skranke.queue.errors import InvalidInput
from skranke.queue.issuing import issue_with_print
from skranke.queue.routing import RoutingPolicy
from skranke.queue.states import CounterState
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.simulate import legacy
from skranke.simulate.clock import VirtualClock
from skranke.simulate.model import Citizen, CounterRun, Day, Shown
from skranke.simulate.scenario import Scenario, Service, Spread
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store.scratch import Scratch

BRANCH = "simuleret"
TZ = ZoneInfo("Europe/Copenhagen")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Idle counters look for work (overflow may have started) and queues are sampled this often.
TICK = timedelta(minutes=1)


def _local(day: date, t: time) -> datetime:
    return datetime.combine(day, t, TZ).astimezone(UTC)


def _lognormal(rng: random.Random, spread: Spread) -> float:
    if spread.sd <= 0:
        return spread.mean
    mu, sigma = spread.mu_sigma()
    return rng.lognormvariate(mu, sigma)


def _hours(s: Scenario) -> dict[str, Any]:
    window = [[s.opens.strftime("%H:%M"), s.closes.strftime("%H:%M")]]
    return {"dropin": {d: window for d in DAYS}, "booking": {d: window for d in DAYS}}


def build_branch(db: Scratch, s: Scenario) -> None:
    spec = BranchSpec(
        key=BRANCH,
        name=s.name,
        services=[
            ServiceSpec(
                sv.key,
                sv.name,
                sv.name,
                sv.area,
                sv.prefix,
                sv.expected_minutes,
                sv.walk_in,
                sv.simple,
            )
            for sv in s.services
        ],
        counters=[CounterSpec(c.number, c.area, dict(c.weights)) for c in s.counters],
        hours=_hours(s),
    )
    db.run(create_branch, spec)
    for sv in s.services:
        if sv.booking is not None:
            b = sv.booking
            rules = BookingSpec(sv.key, b.slot_minutes, b.capacity, lead_minutes=0)
            db.run(make_bookable, BRANCH, rules)


class DayRun:
    """One simulated day; `run()` returns what happened."""

    def __init__(self, db: Scratch, s: Scenario, day: date, rng: random.Random) -> None:
        self.db, self.s, self.day, self.rng = db, s, day, rng
        self.clock = VirtualClock(_local(day, s.opens))
        self.policy = QueuePolicy(
            routing=RoutingPolicy(
                booking_window=timedelta(minutes=s.booking_window_minutes),
                overflow_threshold=timedelta(minutes=s.overflow_minutes),
            )
        )
        self.events: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.seq = itertools.count()
        self.citizens: dict[int, Citizen] = {}
        self.waiting: set[int] = set()
        self.samples: list[tuple[datetime, dict[str, int]]] = []
        self.closes = _local(day, s.closes)
        self.branch_id = db.run(lambda c: branch_store.row(c, BRANCH).id)
        ids = {r.number: r.id for r in db.run(counter_store.of_branch, self.branch_id)}
        self.counters = {
            c.number: CounterRun(
                c.number,
                ids[c.number],
                [(_local(day, a), _local(day, b)) for a, b in c.hours],
            )
            for c in s.counters
        }
        self.services = {sv.key: sv for sv in s.services}

    # The event queue -------------------------------------------------------------------
    def at(self, when: datetime, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self.events, (when, next(self.seq), fn, args))

    def run(self) -> Day:
        self._plan_arrivals()
        self._plan_bookings()
        for c in self.counters.values():
            for start, end in c.blocks:
                self.at(start, self._open, c)
                self.at(end, self._block_end, c)
        self.at(self.clock.now, self._tick)
        while self.events:
            when, _, fn, args = heapq.heappop(self.events)
            self.clock.set(when)
            fn(*args)
        for c in self.counters.values():
            self._account(c)
        return Day(
            self.day, list(self.citizens.values()), list(self.counters.values()), self.samples
        )

    # Arrivals --------------------------------------------------------------------------
    def _plan_arrivals(self) -> None:
        opens, closes = self.clock.now, self.closes
        for sv in self.s.services:
            if not sv.walk_in:
                continue
            t = opens
            while True:
                hour = t.astimezone(TZ).hour
                rate = sv.arrivals.get(hour, 0.0)
                if rate <= 0:
                    # Jump to the next whole hour.
                    local = t.astimezone(TZ).replace(minute=0, second=0, microsecond=0)
                    t = (local + timedelta(hours=1)).astimezone(UTC)
                    if t >= closes:
                        break
                    continue
                gap = self.rng.expovariate(rate / 60.0)
                nxt = t + timedelta(minutes=gap)
                boundary = (
                    t.astimezone(TZ).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
                ).astimezone(UTC)
                if nxt >= boundary:
                    # Memoryless: start afresh at the hour with its own rate.
                    t = boundary
                    if t >= closes:
                        break
                    continue
                if nxt >= closes:
                    break
                self.at(nxt, self._arrive, sv)
                t = nxt

    def _arrive(self, sv: Service) -> None:
        now = self.clock.now
        queues = self.db.run(lookup.queue_status, BRANCH, now, self.policy)
        button = next(q for q in queues if q.service_key == sv.key)
        old = self.db.run(legacy.service_waits, self.branch_id)[sv.key]
        info, _ = self.db.run(issue_with_print, None, BRANCH, sv.key, now, self.policy)
        citizen = self._citizen(info, booked=False)
        low, high = button.estimated_wait_range or (None, None)
        citizen.shown.append(Shown("kiosk", now, button.estimated_wait_minutes, low, high, old))
        self._shown_ticket(citizen, info, old)
        self._wake()

    def _citizen(self, info: TicketInfo, booked: bool) -> Citizen:
        citizen = Citizen(info.id, info.service_key, info.tracking, info.issued_at, booked)
        self.citizens[info.id] = citizen
        self.waiting.add(info.id)
        return citizen

    def _shown_ticket(self, citizen: Citizen, info: TicketInfo, old: int) -> None:
        low, high = info.estimated_wait_range or (None, None)
        minutes = info.estimated_wait_minutes or 0
        citizen.shown.append(Shown("ticket", self.clock.now, minutes, low, high, old))

    # Bookings --------------------------------------------------------------------------
    def _plan_bookings(self) -> None:
        booked_at = _local(self.day, time(6, 0))
        n = itertools.count()
        for sv in self.s.services:
            b = sv.booking
            if b is None:
                continue
            start = self.clock.now
            while start + timedelta(minutes=b.slot_minutes) <= self.closes:
                for _ in range(b.capacity):
                    if self.rng.random() >= b.fill:
                        continue
                    k = next(n)
                    who = Contact(f"Borger {k}", f"sim{k}@example.invalid", None)
                    try:
                        info = self.db.run(book, BRANCH, sv.key, start, who, booked_at)
                    except InvalidInput:
                        # A public holiday: the branch takes no bookings that day.
                        return
                    if self.rng.random() < b.absent:
                        continue
                    late = self.rng.gauss(b.punctuality_mean, b.punctuality_sd)
                    arrive = start + timedelta(minutes=max(late, -29.0))
                    self.at(max(arrive, self.clock.now), self._check_in, info.code, start)
                start += timedelta(minutes=b.slot_minutes)

    def _check_in(self, code: str, start: datetime) -> None:
        now = self.clock.now
        window = CheckinWindow()
        dropin = now > start + window.late
        old = self.db.run(legacy.service_waits, self.branch_id)
        info = self.db.run(check_in, BRANCH, code, now, self.policy, window, dropin=dropin)
        citizen = self._citizen(info, booked=not dropin)
        self._shown_ticket(citizen, info, old[info.service_key])
        self._wake()

    # Counters --------------------------------------------------------------------------
    def _staffed(self, c: CounterRun) -> bool:
        now = self.clock.now
        if any(a <= now < b for a, b in c.blocks):
            return True
        # After closing, whoever sat at the counter at closing serves those still waiting.
        closing = any(a < self.closes <= b for a, b in c.blocks)
        return self.s.serve_remaining and closing and now >= self.closes and bool(self.waiting)

    def _open(self, c: CounterRun) -> None:
        if not c.open:
            self.db.run(calling.set_counter_state, c.counter_id, CounterState.OPEN, self.clock.now)
            c.open, c.opened_at = True, self.clock.now
        if not c.busy:
            self._call(c)

    def _block_end(self, c: CounterRun) -> None:
        if not c.busy and not self._staffed(c):
            self._close(c)

    def _close(self, c: CounterRun) -> None:
        if c.open:
            self.db.run(
                calling.set_counter_state, c.counter_id, CounterState.CLOSED, self.clock.now
            )
            self._account(c)
            c.open = False

    def _account(self, c: CounterRun) -> None:
        if c.open and c.opened_at is not None:
            c.open_seconds += (self.clock.now - c.opened_at).total_seconds()
            c.opened_at = self.clock.now

    def _free(self, c: CounterRun) -> None:
        c.busy = False
        if self._staffed(c):
            self._call(c)
        else:
            self._close(c)

    def _call(self, c: CounterRun) -> None:
        now = self.clock.now
        info = self.db.run(calling.call_next, c.counter_id, now, self.policy)
        if info is None:
            return
        citizen = self.citizens[info.id]
        citizen.called_at = now
        self.waiting.discard(info.id)
        c.busy = True
        if not citizen.booked and self.rng.random() < self.s.no_show:
            citizen.no_show = True
            self.at(now + timedelta(minutes=self.s.no_show_wait), self._no_show, c, info.id)
            return
        walk = timedelta(minutes=_lognormal(self.rng, self.s.walk))
        self.at(now + walk, self._serve, c, info.id)

    def _serve(self, c: CounterRun, ticket_id: int) -> None:
        now = self.clock.now
        self.db.run(tickets.act, ticket_id, "serve", now, self.policy)
        sv = self.services[self.citizens[ticket_id].service]
        handling = timedelta(minutes=_lognormal(self.rng, sv.handling))
        self.at(now + handling, self._finish, c, ticket_id, now)

    def _finish(self, c: CounterRun, ticket_id: int, since: datetime) -> None:
        now = self.clock.now
        self.db.run(tickets.act, ticket_id, "finish", now, self.policy)
        called = self.citizens[ticket_id].called_at or since
        c.busy_seconds += (now - called).total_seconds()
        self._free(c)

    def _no_show(self, c: CounterRun, ticket_id: int) -> None:
        now = self.clock.now
        self.db.run(tickets.act, ticket_id, "no-show", now, self.policy)
        c.busy_seconds += self.s.no_show_wait * 60
        self._free(c)

    def _wake(self) -> None:
        for c in self.counters.values():
            if c.open and not c.busy and self._staffed(c):
                self._call(c)

    # The minute tick: idle counters look again, queues are sampled, phones refresh --------
    def _tick(self) -> None:
        now = self.clock.now
        self._wake()
        for c in self.counters.values():
            if c.open and not c.busy and not self._staffed(c):
                self._close(c)
        self.samples.append((now, self._lengths()))
        minutes = (now - _local(self.day, self.s.opens)).total_seconds() / 60
        every = max(self.s.phone_every_minutes, 1.0)
        if minutes > 0 and round(minutes) % round(every) == 0:
            self._phones()
        if now < self.closes or self.waiting or any(c.busy for c in self.counters.values()):
            self.at(now + TICK, self._tick)

    def _lengths(self) -> dict[str, int]:
        lengths = {"library": 0, "borgerservice": 0}
        for ticket_id in self.waiting:
            area = self.services[self.citizens[ticket_id].service].area.value
            lengths[area] += 1
        return lengths

    def _phones(self) -> None:
        now = self.clock.now
        for ticket_id in sorted(self.waiting):
            citizen = self.citizens[ticket_id]
            expected = float(self.services[citizen.service].expected_minutes)

            info, old = self.db.run(self._look, citizen.tracking, expected, now)
            if info.estimated_wait_minutes is None:
                continue
            low, high = info.estimated_wait_range or (None, None)
            citizen.shown.append(Shown("phone", now, info.estimated_wait_minutes, low, high, old))

    def _look(
        self, conn: Any, tracking: str, expected: float, now: datetime
    ) -> tuple[TicketInfo, int]:
        """The phone page's answer, and what the old estimator showed there."""
        info = lookup.ticket_info(conn, self.policy, tracking=tracking, now=now)
        return info, legacy.ticket_wait(conn, info.id, expected)


def simulate(s: Scenario, days: int = 1, seed: int = 1) -> list[Day]:
    """Run the scenario's day and the same weekday of the `days - 1` weeks after it, on one
    fresh database (so handling times learned one day carry into the next), seeded."""
    import time as wall

    db = Scratch()
    try:
        build_branch(db, s)
        results = []
        for i in range(days):
            rng = random.Random(f"{seed}:{i}")
            started = wall.perf_counter()
            day = DayRun(db, s, s.day + timedelta(weeks=i), rng).run()
            day.wall_seconds = wall.perf_counter() - started
            results.append(day)
        return results
    finally:
        db.close()
