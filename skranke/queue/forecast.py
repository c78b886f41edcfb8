"""The estimator that knows the room: routing run forward from the branch as it is now.

Every open counter becomes free when its citizen is done (the median time left of an errand
of that service that has lasted this long, `remaining_seconds`); the free counter then calls
whatever the real `choose_next` would pick at that moment, and is busy for that ticket's
learned time. Run until the queue is empty, this gives the time every waiting ticket will be
called, with booked check-ins, transfers, counter weights, several services per counter,
paused and closed counters and overflow all handled by the same code that makes the real
choice.

A ticket not taken yet is a *phantom* at the end of its service's queue, issued now: when a
counter reaches it, its time is noted and the counter picks again at once, as if the phantom
had never been there. So one run answers "how long if I take a ticket now?" for every errand,
and each phantom's answer is the one it would get alone.

Cost: within one service walk-ins share a weight, so only each service's oldest walk-in can be
chosen (as in `store.tickets.candidates`): each step offers `choose_next` the heads of the
service queues plus the booked and transferred tickets, never the whole queue.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from statistics import NormalDist

from skranke.queue.estimates import Handling, Wait, shown
from skranke.queue.routing import Candidate, CounterProfile, RoutingPolicy, choose_next
from skranke.queue.states import Area

# Handling times are lognormal-like: an errand already long is likely to run on, so a busy
# counter's citizen is expected to need the *median* of what remains given how long they
# have been there, from the service's learned mean and spread. The median, not the mean: the
# mean remaining time of a long-tailed errand is dominated by the rare very long ones, and
# the shown wait is closest to the real one at the median (docs/simulation.md). Never less
# than this share of a usual ticket.
LEAST_REMAINING = 0.1
# Beyond this the run stops; what is left is estimated from the work alone.
HORIZON = timedelta(hours=10)
MAX_STEPS = 5000
# Ids of expected arrivals count down from here; phantoms are minus their service id.
GHOST_IDS = -10_000_000
_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class CounterNow:
    """An open counter as it is now; `busy_service_id` is the service of its citizen, if any."""

    profile: CounterProfile
    busy_service_id: int | None = None
    busy_since: datetime | None = None


@dataclass(frozen=True)
class Room:
    now: datetime
    # Only open counters take part: paused and closed ones call nobody.
    counters: Sequence[CounterNow]
    waiting: Sequence[Candidate]
    handling: Mapping[int, Handling]
    # Services a ticket may be taken for now, with their area and `simple`: the phantoms.
    new_tickets: Mapping[int, tuple[Area, bool]] = field(default_factory=dict)
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    # Who is expected to join later (booked citizens checking in), issued in the future, with
    # ids from `GHOST_IDS` down. They take counter time and may go first, but are not
    # estimated themselves.
    arrivals: Sequence[Candidate] = ()


@dataclass(frozen=True)
class Forecast:
    at: datetime
    # ticket id -> when it will be called; missing if no open counter will ever take it.
    calls: Mapping[int, datetime]
    # service id -> when a ticket taken at `at` would be called.
    new_calls: Mapping[int, datetime]
    handling: Mapping[int, Handling]
    # Tickets ahead of each ticket / phantom when it is called (for "never 0" and the range).
    busy_counters: int = 0
    free_counters: int = 0

    def wait(self, ticket_id: int, service_id: int, now: datetime) -> Wait | None:
        return self._wait(self.calls.get(ticket_id), service_id, now)

    def new_wait(self, service_id: int, now: datetime, extra_ahead: float = 0.0) -> Wait | None:
        """The wait for a ticket taken now; `extra_ahead` minutes of work added since `at`."""
        call = self.new_calls.get(service_id)
        if call is not None and extra_ahead:
            call += timedelta(minutes=extra_ahead)
        return self._wait(call, service_id, now)

    def _wait(self, call: datetime | None, service_id: int, now: datetime) -> Wait | None:
        if call is None:
            return None
        minutes = (call - now).total_seconds() / 60.0
        h = self.handling.get(service_id, Handling(10.0))
        return shown(
            minutes, h.spread, h.minutes, someone_ahead=call > self.at or self.free_counters == 0
        )


def remaining_seconds(usual_seconds: float, spread: float, elapsed_seconds: float) -> float:
    """Median time left of an errand lognormal with mean `usual_seconds` and `spread`
    (standard deviation / mean), `elapsed_seconds` after it began."""
    floor = LEAST_REMAINING * usual_seconds
    if spread <= 0 or usual_seconds <= 0:
        return max(usual_seconds - elapsed_seconds, floor)
    sigma2 = math.log(1.0 + spread * spread)
    sigma = math.sqrt(sigma2)
    mu = math.log(usual_seconds) - sigma2 / 2
    if elapsed_seconds <= 0:
        return max(math.exp(mu), floor)
    # P(longer than elapsed); the median of the rest is where half of that is left.
    tail = 1.0 - _NORMAL.cdf((math.log(elapsed_seconds) - mu) / sigma)
    if tail < 1e-9:
        return floor
    end = math.exp(mu + sigma * _NORMAL.inv_cdf(1.0 - tail / 2))
    return max(end - elapsed_seconds, floor)


def _remaining(counter: CounterNow, handling: Mapping[int, Handling], now: datetime) -> float:
    """Seconds until the counter's citizen is done (0 for a free counter)."""
    if counter.busy_service_id is None or counter.busy_since is None:
        return 0.0
    h = handling.get(counter.busy_service_id, Handling(10.0))
    elapsed = (now - counter.busy_since).total_seconds()
    return remaining_seconds(h.minutes * 60.0, h.spread, elapsed)


class _Queues:
    """Waiting tickets as routing sees them: one walk-in line per service, plus the laned."""

    def __init__(self, waiting: Iterable[Candidate]) -> None:
        self.lines: dict[int, deque[Candidate]] = {}
        self.laned: list[Candidate] = []
        walk_ins: list[Candidate] = []
        for c in waiting:
            laned = c.booking_start is not None or c.transferred or c.target_counter_id
            (self.laned if laned else walk_ins).append(c)
        walk_ins.sort(key=lambda c: (c.issued_at, c.ticket_id))
        for c in walk_ins:
            self.lines.setdefault(c.service_id, deque()).append(c)
        self.heads: dict[int, Candidate] = {s: line[0] for s, line in self.lines.items()}

    def add_phantom(self, c: Candidate) -> None:
        """Join at the end (a phantom, or an expected arrival once it is due)."""
        if c.booking_start is not None or c.transferred or c.target_counter_id:
            self.laned.append(c)
            return
        line = self.lines.setdefault(c.service_id, deque())
        line.append(c)
        self.heads.setdefault(c.service_id, c)

    def offered(self) -> list[Candidate]:
        return [*self.heads.values(), *self.laned]

    def remove(self, c: Candidate) -> None:
        if self.heads.get(c.service_id) is c:
            line = self.lines[c.service_id]
            line.popleft()
            if line:
                self.heads[c.service_id] = line[0]
            else:
                del self.heads[c.service_id]
        else:
            self.laned.remove(c)

    def __bool__(self) -> bool:
        return bool(self.heads) or bool(self.laned)


def _overflow_at(
    profile: CounterProfile, offered: Sequence[Candidate], policy: RoutingPolicy
) -> datetime | None:
    """When the counter could first take a simple errand of the other area by overflow."""
    oldest: dict[Area, datetime] = {}
    simple_waits = set()
    for c in offered:
        if c.area not in oldest or c.issued_at < oldest[c.area]:
            oldest[c.area] = c.issued_at
        if c.simple and c.area != profile.area and c.service_id not in profile.priorities:
            simple_waits.add(c.area)
    times = [oldest[a] + policy.overflow_threshold + timedelta(seconds=1) for a in simple_waits]
    return min(times, default=None)


def run(room: Room) -> Forecast:
    """Call times of every waiting ticket and every phantom, by routing run forward."""
    now, handling, policy = room.now, room.handling, room.policy
    queues = _Queues(room.waiting)
    phantoms: dict[int, int] = {}  # phantom ticket id -> service id
    for service_id, (area, simple) in room.new_tickets.items():
        ticket_id = -service_id
        phantoms[ticket_id] = service_id
        queues.add_phantom(Candidate(ticket_id, service_id, area, now, simple=simple))
    ghosts = sorted(room.arrivals, key=lambda c: c.issued_at)
    due = 0
    seconds = {s: h.minutes * 60.0 for s, h in handling.items()}
    free: list[tuple[datetime, int]] = []
    for i, counter in enumerate(room.counters):
        free.append((now + timedelta(seconds=_remaining(counter, handling, now)), i))
    heapq.heapify(free)
    calls: dict[int, datetime] = {}
    new_calls: dict[int, datetime] = {}
    end = now + HORIZON
    remaining = len(room.waiting) + len(phantoms)
    steps = 0
    while free and remaining and steps < MAX_STEPS:
        steps += 1
        at, i = heapq.heappop(free)
        if at > end:
            break
        while due < len(ghosts) and ghosts[due].issued_at <= at:
            queues.add_phantom(ghosts[due])
            due += 1
        profile = room.counters[i].profile
        offered = queues.offered()
        choice = choose_next(profile, offered, at, policy)
        if choice is None:
            # Nothing this counter serves waits; it may help once overflow starts, or take
            # the next expected arrival.
            later = [t for t in (_overflow_at(profile, offered, policy),) if t and t > at]
            if due < len(ghosts):
                later.append(ghosts[due].issued_at)
            if later:
                heapq.heappush(free, (min(later), i))
            continue
        queues.remove(choice)
        if choice.ticket_id in phantoms:
            new_calls[phantoms[choice.ticket_id]] = at
            remaining -= 1
            heapq.heappush(free, (at, i))
            continue
        if choice.ticket_id > GHOST_IDS:
            calls[choice.ticket_id] = at
            remaining -= 1
        held = seconds.get(choice.service_id, 600.0)
        heapq.heappush(free, (at + timedelta(seconds=held), i))
    busy = sum(1 for c in room.counters if c.busy_service_id is not None)
    return Forecast(
        at=now,
        calls=calls,
        new_calls=new_calls,
        handling=dict(handling),
        busy_counters=busy,
        free_counters=len(room.counters) - busy,
    )


def without_phantoms(room: Room) -> Room:
    return replace(room, new_tickets={})
