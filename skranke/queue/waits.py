"""One wait estimator for every page: the branch's forecast, read from the store and cached.

`skranke.queue.forecast` runs routing forward over a `Room`; this module builds that room from
the database and keeps each branch's forecast in the process, so the kiosk buttons, the ticket,
the phone page, the display and the queue API all read the same figures and a branch's run is
made once per change, not once per page.

Two freshness rules:
- pages (`branch_forecast`) reuse a forecast while the branch's newest event is the one it was
  made after: nothing moved, so the predicted call times still hold;
- issuing (`new_ticket_wait`) runs on the one writer thread, where a forward run per ticket
  would cost the kiosk throughput. It reuses a forecast up to `ISSUE_REUSE_SECONDS` old, adding
  the work of each ticket issued since, and makes a new one (which includes the new ticket)
  otherwise.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from skranke.queue import policies
from skranke.queue.estimates import Handling, Wait, learn, naive_wait_minutes
from skranke.queue.forecast import GHOST_IDS, CounterNow, Forecast, Room, run
from skranke.queue.routing import Candidate, CounterProfile
from skranke.queue.states import Area, CounterState
from skranke.queue.views import QueuePolicy
from skranke.store import Conn
from skranke.store import forecast as forecast_store

ISSUE_REUSE_SECONDS = 1.0
# Booked citizens yet to check in are expected `BOOKING_EARLY` before their time, for those
# starting within `ARRIVALS_AHEAD` (or up to `BOOKING_LATE` ago: they may still come).
ARRIVALS_AHEAD = timedelta(hours=4)
BOOKING_EARLY = timedelta(minutes=5)
BOOKING_LATE = timedelta(minutes=10)
# Pages may show a forecast this much older than their clock while nothing has happened.
PAGE_REUSE_SECONDS = 60.0
_MAX_ENTRIES = 512


@dataclass
class _Entry:
    version: int
    made: float
    forecast: Forecast
    open_for: dict[int, int]
    # service id -> minutes of work issued since the forecast was made (issuing only).
    extra: dict[int, float] = field(default_factory=dict)


_cache: dict[Hashable, _Entry] = {}


def room(conn: Conn, branch_id: int, now: datetime, policy: QueuePolicy) -> Room:
    services = forecast_store.services(conn, branch_id)
    facts = {s.id: (Area(s.area), bool(s.simple)) for s in services}
    history = forecast_store.held_minutes(conn, list(facts), policy.estimate_history)
    handling = {s.id: learn(history[s.id], float(s.expected_minutes)) for s in services}
    weights = forecast_store.weights(conn, branch_id)
    counters = [
        CounterNow(
            CounterProfile(c.id, Area(c.area), weights.get(c.id, {})),
            c.busy_service_id,
            c.busy_since,
        )
        for c in forecast_store.counters(conn, branch_id)
        if c.state == CounterState.OPEN.value
    ]
    waiting = [
        Candidate(
            ticket_id=r.id,
            service_id=r.service_id,
            area=facts[r.service_id][0],
            issued_at=r.issued_at,
            simple=facts[r.service_id][1],
            booking_start=r.booking_start,
            transferred=r.transferred_from_id is not None,
            target_counter_id=r.target_counter_id,
        )
        for r in forecast_store.waiting(conn, branch_id)
        if r.service_id in facts
    ]
    return Room(
        now=now,
        counters=counters,
        waiting=waiting,
        handling=handling,
        new_tickets={s.id: facts[s.id] for s in services if s.walk_in},
        policy=policy.routing,
        arrivals=expected_arrivals(conn, branch_id, now, facts),
    )


def expected_arrivals(
    conn: Conn,
    branch_id: int,
    now: datetime,
    facts: dict[int, tuple[Area, bool]],
) -> list[Candidate]:
    """Booked citizens not checked in yet, expected a little before their time.

    They will go first when they come, so a forecast that leaves them out is too optimistic
    by the time they take. Walk-ins yet to come were tried too (at the last hour's rate):
    they made every simulated day too pessimistic, so they are left out (docs/simulation.md).
    """
    ghosts: list[Candidate] = []
    ids = itertools.count(GHOST_IDS, -1)
    for b in forecast_store.upcoming_bookings(
        conn, branch_id, now - BOOKING_LATE, now + ARRIVALS_AHEAD
    ):
        if b.service_id in facts:
            area, simple = facts[b.service_id]
            at = max(now, b.start - BOOKING_EARLY)
            ghosts.append(Candidate(next(ids), b.service_id, area, at, simple, b.start))
    return ghosts


def _make(conn: Conn, branch_id: int, now: datetime, policy: QueuePolicy, ver: int) -> _Entry:
    # The branch's own overflow threshold and booking window steer the forward run too.
    r = room(conn, branch_id, now, policies.for_branch(conn, branch_id, policy))
    open_for: dict[int, int] = {}
    for c in r.counters:
        for service_id in c.profile.priorities:
            open_for[service_id] = open_for.get(service_id, 0) + 1
    entry = _Entry(ver, time.monotonic(), run(r), open_for)
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
    _cache[(forecast_store.database_key(conn), branch_id)] = entry
    return entry


def branch_forecast(
    conn: Conn, branch_id: int, now: datetime | None, policy: QueuePolicy
) -> Forecast:
    """The branch's forecast as of `now`, reused while nothing at the branch has changed.

    Without `now` (a read that has no clock), the time of the branch's last change is used:
    the forecast is as of the moment the queue last moved.
    """
    ver, changed_at = forecast_store.last_change(conn, branch_id)
    entry = _cache.get((forecast_store.database_key(conn), branch_id))
    if now is None:
        if entry is not None and entry.version == ver:
            return entry.forecast
        now = changed_at or datetime.now(UTC)
    if (
        entry is not None
        and entry.version == ver
        and abs((now - entry.forecast.at).total_seconds()) < PAGE_REUSE_SECONDS
    ):
        return entry.forecast
    return _make(conn, branch_id, now, policy, ver).forecast


def new_ticket_wait(
    conn: Conn, branch_id: int, service_id: int, ticket_id: int, now: datetime, policy: QueuePolicy
) -> Wait | None:
    """The wait of a ticket just issued (already inserted) at `now`; see the module notes."""
    entry = _cache.get((forecast_store.database_key(conn), branch_id))
    if (
        entry is not None
        and time.monotonic() - entry.made < ISSUE_REUSE_SECONDS
        and abs((now - entry.forecast.at).total_seconds()) < ISSUE_REUSE_SECONDS
    ):
        if service_id not in entry.forecast.new_calls:
            return None  # no open counter takes it: the caller counts the work ahead
        extra = entry.extra.get(service_id, 0.0)
        wait = entry.forecast.new_wait(service_id, now, extra)
        per_ticket = entry.forecast.handling.get(service_id, Handling(10.0)).minutes
        entry.extra[service_id] = extra + per_ticket / max(entry.open_for.get(service_id, 1), 1)
        return wait
    made = _make(conn, branch_id, now, policy, forecast_store.last_change(conn, branch_id)[0])
    return made.forecast.wait(ticket_id, service_id, now)


def ticket_wait(
    conn: Conn,
    branch_id: int,
    service_id: int,
    ticket_id: int,
    now: datetime | None,
    policy: QueuePolicy,
) -> Wait | None:
    """The wait of a waiting ticket as of `now`, or None when no open counter will take it."""
    f = branch_forecast(conn, branch_id, now, policy)
    return f.wait(ticket_id, service_id, f.at if now is None else now)


def service_waits(
    conn: Conn, branch_id: int, now: datetime, policy: QueuePolicy
) -> tuple[Forecast, dict[int, Wait]]:
    """The wait of a ticket taken now, per walk-in service some open counter will take."""
    f = branch_forecast(conn, branch_id, now, policy)
    waits = {}
    for service_id in f.new_calls:
        w = f.new_wait(service_id, now)
        if w is not None:
            waits[service_id] = w
    return f, waits


def fallback(ahead: int, handling: Handling | None, default_minutes: float) -> Wait:
    """When no open counter will take the ticket: the work ahead, as if one counter opens."""
    per_ticket = handling.minutes if handling is not None else default_minutes
    return Wait(naive_wait_minutes(ahead, per_ticket, 1))


def forget() -> None:
    """Drop every cached forecast (tests that rebuild a database under the same name)."""
    _cache.clear()
