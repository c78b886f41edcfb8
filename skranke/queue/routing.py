"""Who is called next: a pure choice over candidate tickets (DESIGN §4)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from skranke.queue.states import Area


@dataclass(frozen=True, slots=True)
class Candidate:
    ticket_id: int
    service_id: int
    area: Area
    issued_at: datetime
    # Simple errands may overflow to counters of the other area.
    simple: bool = False
    booking_start: datetime | None = None
    transferred: bool = False
    target_counter_id: int | None = None


@dataclass(frozen=True, slots=True)
class CounterProfile:
    counter_id: int
    area: Area
    # service id -> weight; equal weights give plain first-come-first-served.
    priorities: Mapping[int, float]


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    booking_window: timedelta = timedelta(minutes=5)
    overflow_threshold: timedelta = timedelta(minutes=20)
    overflow_weight: float = 1.0


def longest_waits(candidates: Iterable[Candidate], now: datetime) -> dict[Area, timedelta]:
    waits: dict[Area, timedelta] = {}
    for c in candidates:
        wait = now - c.issued_at
        if wait > waits.get(c.area, timedelta.min):
            waits[c.area] = wait
    return waits


def weight_for(
    counter: CounterProfile,
    candidate: Candidate,
    waits: Mapping[Area, timedelta],
    policy: RoutingPolicy,
) -> float | None:
    """The counter's weight for a candidate, or None when the counter may not take it."""
    if candidate.target_counter_id is not None:
        return 1.0 if candidate.target_counter_id == counter.counter_id else None
    weight = counter.priorities.get(candidate.service_id)
    if weight is not None:
        return weight
    overflowing = waits.get(candidate.area, timedelta(0)) > policy.overflow_threshold
    if candidate.simple and candidate.area != counter.area and overflowing:
        return policy.overflow_weight
    return None


def rank(
    candidate: Candidate, weight: float, now: datetime, policy: RoutingPolicy
) -> tuple[int, float, datetime, int]:
    """Sort key: lower is called first."""
    if candidate.booking_start is not None:
        if candidate.booking_start - now <= policy.booking_window:
            return (
                0,
                candidate.booking_start.timestamp(),
                candidate.issued_at,
                candidate.ticket_id,
            )
        # A booking checked in far too early is called only when nobody else waits.
        return (4, candidate.booking_start.timestamp(), candidate.issued_at, candidate.ticket_id)
    if candidate.target_counter_id is not None:
        return (1, 0.0, candidate.issued_at, candidate.ticket_id)
    if candidate.transferred:
        return (2, 0.0, candidate.issued_at, candidate.ticket_id)
    waited_minutes = max((now - candidate.issued_at).total_seconds() / 60.0, 0.0)
    return (3, -(waited_minutes * weight), candidate.issued_at, candidate.ticket_id)


def choose_next(
    counter: CounterProfile,
    candidates: Sequence[Candidate],
    now: datetime,
    policy: RoutingPolicy,
) -> Candidate | None:
    """The ticket `counter` should call next among waiting `candidates`, or None."""
    waits = longest_waits(candidates, now)
    best: tuple[tuple[int, float, datetime, int], Candidate] | None = None
    for candidate in candidates:
        weight = weight_for(counter, candidate, waits, policy)
        if weight is None:
            continue
        key = rank(candidate, weight, now, policy)
        if best is None or key < best[0]:
            best = (key, candidate)
    return None if best is None else best[1]


def call_order(
    counter: CounterProfile,
    waiting: Iterable[Candidate],
    now: datetime,
    policy: RoutingPolicy,
    limit: int,
) -> list[Candidate]:
    """The first `limit` waiting tickets in the order `counter` would call them, were it
    alone: the counter page's "next in line" is who "call next" takes."""
    # Walk-ins of one service share a weight, so only each service's oldest is ever chosen
    # (as in the claim's query); bookings and transfers are weighed one by one.
    lines: dict[int, deque[Candidate]] = {}
    laned: list[Candidate] = []
    for c in sorted(waiting, key=lambda c: (c.issued_at, c.ticket_id)):
        if c.booking_start is not None or c.transferred or c.target_counter_id is not None:
            laned.append(c)
        else:
            lines.setdefault(c.service_id, deque()).append(c)
    order: list[Candidate] = []
    while len(order) < limit:
        offered = [line[0] for line in lines.values() if line] + laned
        choice = choose_next(counter, offered, now, policy)
        if choice is None:
            break
        order.append(choice)
        if choice in laned:
            laned.remove(choice)
        else:
            lines[choice.service_id].popleft()
    return order
