"""One wait estimator for every page: the branch's forecast, read from the store and cached.

`skranke.queue.forecast` runs routing forward over a `Room`; this module builds that room from
the database and keeps each branch's forecast in the process, so the kiosk buttons, the ticket,
the phone page, the display and the queue API all read the same figures and a branch's run is
made once per change, not once per page.

Freshness:
- pages (`branch_forecast`) reuse a forecast while the branch's newest event is the one it was
  made after: nothing moved, so the predicted call times still hold;
- issuing (`new_ticket_wait`) runs on the one writer thread, where a forward run per ticket
  would cost the kiosk throughput. It takes the latest forecast and adds the work of every
  ticket issued since that forecast's snapshot (`_Issued`), so the tickets ahead always count.
  In a server a refresher (`skranke.displays.forecasts`) builds the forecasts off the writer
  thread after commits (`refresh`); the writer builds one itself only when it has none or the
  one it has is older than `ISSUE_STALE_SECONDS`. Without a refresher (the day simulator, the
  CLI, tests on a bare connection) issuing builds a new one whenever the last is older than
  `ISSUE_REUSE_SECONDS`, on the caller's clock, so those runs stay fresh and deterministic.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from skranke.queue import policies
from skranke.queue.estimates import (
    Handling,
    Wait,
    hour_factor,
    learn_branch,
    naive_wait_minutes,
)
from skranke.queue.forecast import GHOST_IDS, CounterNow, Forecast, Room, run
from skranke.queue.routing import Candidate, CounterProfile
from skranke.queue.states import Area, CounterState
from skranke.queue.views import QueuePolicy
from skranke.store import Conn
from skranke.store import forecast as forecast_store

ISSUE_REUSE_SECONDS = 1.0
# With a refresher: past this, a forecast is too old to carry forward (the server was idle and
# no event asked for a new one), and the writer builds one itself.
ISSUE_STALE_SECONDS = 30.0
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
    # The highest ticket id when the room was read: tickets above it are not in the forecast.
    upto: int = 0


@dataclass
class _Issued:
    """The writer's tickets issued since its forecast's snapshot (touched by the writer only)."""

    base: _Entry
    # (ticket id, service id) of each ticket issued after `base.upto`, oldest first.
    since: list[tuple[int, int]] = field(default_factory=list)
    # service id -> minutes of work those tickets add ahead of the next one.
    extra: dict[int, float] = field(default_factory=dict)

    def add(self, ticket_id: int, service_id: int) -> None:
        self.since.append((ticket_id, service_id))
        per_ticket = self.base.forecast.handling.get(service_id, Handling(10.0)).minutes
        counters = max(self.base.open_for.get(service_id, 1), 1)
        self.extra[service_id] = self.extra.get(service_id, 0.0) + per_ticket / counters

    def rebase(self, entry: _Entry) -> None:
        """Carry over to a newer forecast only what it has not seen."""
        since, self.base, self.since, self.extra = self.since, entry, [], {}
        for ticket_id, service_id in since:
            if ticket_id > entry.upto:
                self.add(ticket_id, service_id)


_cache: dict[Hashable, _Entry] = {}
_issued: dict[Hashable, _Issued] = {}
# Databases whose forecasts a refresher keeps fresh (see the module notes).
_refreshed: set[Hashable] = set()
# Forward runs made so far in this process (tests and benchmarks count them).
runs = 0


def room(conn: Conn, branch_id: int, now: datetime, policy: QueuePolicy) -> Room:
    services = forecast_store.services(conn, branch_id)
    facts = {s.id: (Area(s.area), bool(s.simple)) for s in services}
    history = forecast_store.held_minutes(conn, list(facts), policy.estimate_history)
    hours = {
        sid: hour_factor(in_hour, every)
        for sid, (in_hour, every) in forecast_store.held_by_hour(
            conn, branch_id, list(facts), now
        ).items()
    }
    defaults = {s.id: float(s.expected_minutes) for s in services}
    handling = learn_branch(history, defaults, hours)
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
    upto = forecast_store.newest_ticket_id(conn)
    # The branch's own overflow threshold and booking window steer the forward run too.
    r = room(conn, branch_id, now, policies.for_branch(conn, branch_id, policy))
    open_for: dict[int, int] = {}
    for c in r.counters:
        for service_id in c.profile.priorities:
            open_for[service_id] = open_for.get(service_id, 0) + 1
    global runs
    runs += 1
    entry = _Entry(ver, time.monotonic(), run(r), open_for, upto)
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
        _issued.clear()
    key = (forecast_store.database_key(conn), branch_id)
    current = _cache.get(key)
    # Built on another thread from an older snapshot than the one kept: keep the newer.
    if current is None or (current.version, current.upto) <= (ver, upto):
        _cache[key] = entry
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


def refresh(conn: Conn, branch_id: int, now: datetime, policy: QueuePolicy) -> bool:
    """Build the branch's forecast after a change, off the writer thread; False if the one
    kept is already of the branch's newest event. From then on the writer of this database
    leaves building to these calls (see the module notes)."""
    key = forecast_store.database_key(conn)
    _refreshed.add(key)
    ver, _ = forecast_store.last_change(conn, branch_id)
    entry = _cache.get((key, branch_id))
    if entry is not None and entry.version == ver:
        return False
    _make(conn, branch_id, now, policy, ver)
    return True


def new_ticket_wait(
    conn: Conn, branch_id: int, service_id: int, ticket_id: int, now: datetime, policy: QueuePolicy
) -> Wait | None:
    """The wait of a ticket just issued (already inserted) at `now`; see the module notes."""
    db = forecast_store.database_key(conn)
    key = (db, branch_id)
    entry = _cache.get(key)
    if entry is not None:
        age = abs((now - entry.forecast.at).total_seconds())
        if db in _refreshed:
            usable = age < ISSUE_STALE_SECONDS
        else:
            usable = (
                age < ISSUE_REUSE_SECONDS and time.monotonic() - entry.made < ISSUE_REUSE_SECONDS
            )
        if usable:
            return _carried(key, entry, service_id, ticket_id, now)
    made = _make(conn, branch_id, now, policy, forecast_store.last_change(conn, branch_id)[0])
    _issued[key] = _Issued(made)
    return made.forecast.wait(ticket_id, service_id, now)


def _carried(
    key: Hashable, entry: _Entry, service_id: int, ticket_id: int, now: datetime
) -> Wait | None:
    """The new ticket's wait from `entry` plus the work issued since its snapshot."""
    issued = _issued.get(key)
    if issued is None:
        issued = _issued[key] = _Issued(entry)
    elif issued.base is not entry:
        issued.rebase(entry)
    if service_id not in entry.forecast.new_calls:
        return None  # no open counter takes it: the caller counts the work ahead
    wait = entry.forecast.new_wait(service_id, now, issued.extra.get(service_id, 0.0))
    issued.add(ticket_id, service_id)
    return wait


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
    _issued.clear()
    _refreshed.clear()
    forecast_store.forget_hours()
