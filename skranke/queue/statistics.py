"""What the statistics mean, defined once, and the figures assembled from `store.statistics`.

A *visit* is a citizen's ticket; a transfer ends one ticket row (a *leg*) and starts another
in the target service, which keeps the original issue time for its place in the queue. For
every leg (docs/statistics.md has the long version, with examples):

- **waiting** runs from when the leg joined its queue to its **first** call. The original leg
  joined at its issue; a transferred leg at the transfer (if the leg before it was never
  called, the whole wait since the issue is this leg's). A recall, a put-back after too many
  recalls, or a resumption after parking calls again: none of that is waiting, so the wait
  ends at the first call. Legs never called (cancelled, closed at night, transferred while
  waiting) have no waiting time.
- **handling** runs from the call the citizen answered (the last call) to the end of the leg
  (finished, or transferred onwards), plus the time at the counter before each parking; the
  parked time itself is neither. "Serve" is not the start: staff often finish without it.
  No-shows have no handling time.
- **within target**: a called leg whose waiting is at most its service's `target_minutes`.
- **punctuality** of a checked-in booking: its first call minus the booked start (negative:
  called early); "on time" is called no later than 5 minutes after the start.
- **overflow**: a leg finished at a counter of the other area than its service's.
- A counter is **open** or **paused** from a state change until the next, never past the end
  of that local day; **busy** while handling a ticket, or calling a citizen who never came
  (first call to the no-show); **idle** is open time not busy. A counter's time belongs to
  the staff member who last changed its state; a ticket to the one who called it last.

Percentiles are nearest-rank: the median is the smallest time at least half the legs do not
exceed, so it is always one real citizen's wait.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue.errors import Forbidden, InvalidInput, NotFound
from skranke.queue.states import Area, BookingState, TicketSource
from skranke.store import Conn, Record
from skranke.store import statistics as store
from skranke.store import statistics_names as names_store
from skranke.store.statistics_time import Scope

MAX_DAYS = 400
ON_TIME_SECONDS = 300
SOURCES = tuple(s.value for s in TicketSource)


@dataclass(frozen=True)
class Dist:
    """A distribution of times, in minutes (rounded to a tenth); None when nobody counts."""

    n: int
    mean: float | None
    median: float | None
    p90: float | None

    def json(self) -> dict[str, Any]:
        return {"n": self.n, "mean": self.mean, "median": self.median, "p90": self.p90}


NO_DIST = Dist(0, None, None, None)


def minutes(seconds: float | Decimal | int | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


def share(part: int, whole: int) -> float | None:
    """A share in percent, to a tenth; None of nothing."""
    return round(100 * part / whole, 1) if whole else None


def dist(row: Record | None) -> Dist:
    if row is None or not row.n:
        return NO_DIST
    return Dist(int(row.n), minutes(row.mean), minutes(row.median), minutes(row.p90))


def offsets(lo: datetime, hi: datetime, zone: ZoneInfo) -> tuple[tuple[int, int], ...]:
    """The zone's UTC offsets over [lo, hi), as (from epoch second, offset seconds)."""

    def offset(at: datetime) -> int:
        delta = at.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    found = [(int(lo.timestamp()), offset(lo))]
    day = lo
    while day < hi:
        following = day + timedelta(days=1)
        if offset(following) != found[-1][1]:
            # A change within this day: zone changes fall on whole hours (Denmark's 01:00 UTC).
            at = day
            while offset(at) == found[-1][1]:
                at += timedelta(hours=1)
            found.append((int(at.timestamp()), offset(at)))
        day = following
    return tuple(found)


def scope(
    branch_ids: tuple[int, ...] | None, first: date, last: date, timezone: str, now: datetime
) -> Scope:
    if last < first:
        raise InvalidInput(f"Expected 'from' on or before 'to', but got {first} after {last}")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Expected at most {MAX_DAYS} days, but got {(last - first).days + 1}")
    zone = ZoneInfo(timezone)
    lo = datetime.combine(first, time(), zone).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    return Scope(branch_ids, first, last, lo, hi, offsets(lo, hi, zone), min(hi, now))


def branches_for(
    conn: Conn, branch_key: str | None, allowed: frozenset[int] | None
) -> tuple[list[Record], tuple[int, ...] | None]:
    """The branches to count (all the caller may see, or the one asked for) and their ids."""
    visible = names_store.visible_branches(conn, allowed)
    if branch_key:
        chosen = [b for b in visible if b.key == branch_key]
        if not chosen:
            known = names_store.visible_branches(conn, None)
            if any(b.key == branch_key for b in known):
                raise Forbidden(f"Branch {branch_key!r} is not one of yours")
            raise NotFound(f"Unknown branch {branch_key!r}")
        return chosen, (chosen[0].id,)
    if not visible:
        raise Forbidden("You administer no branch")
    return visible, None if allowed is None else tuple(b.id for b in visible)


def figures(
    conn: Conn,
    branch_key: str | None,
    first: date,
    last: date,
    now: datetime,
    allowed: frozenset[int] | None = None,
) -> dict[str, Any]:
    """Every figure of issue 12 for a branch (or all the caller may see) and local days."""
    chosen, ids = branches_for(conn, branch_key, allowed)
    # Danish branches share one zone; a mixed selection reads hours in the first one's.
    sc = scope(ids, first, last, chosen[0].timezone, now)
    names = names_store.names(conn, ids)
    with store.materialized(conn, sc) as legs:
        return _assemble(conn, sc, legs, names, branch_key, chosen)


def _assemble(
    conn: Conn,
    sc: Scope,
    legs: Any,
    names: dict[str, list[Record]],
    branch_key: str | None,
    chosen: list[Record],
) -> dict[str, Any]:
    services = services_figures(conn, legs, names)
    return {
        "branch": branch_key,
        "branches": [{"key": b.key, "name": b.name} for b in chosen],
        "from": sc.first.isoformat(),
        "to": sc.last.isoformat(),
        "timezone": chosen[0].timezone,
        "summary": summary(conn, legs, services),
        "services": services,
        "bookings": bookings(conn, sc, legs, services),
        "overflow": overflow(conn, legs),
        "counters": counters(conn, sc, legs, names),
        "staff": staff(conn, sc, legs, names),
        "heatmap": heatmap(conn, legs, sc.offsets),
        "days": days(conn, legs),
    }


COUNTED = (
    "tickets",
    "transferred_in",
    "called",
    "within",
    "done",
    "no_shows",
    "cancellations",
    "transfers",
    "closed",
    "recalls",
    "booked_called",
    "booked_on_time",
)


def services_figures(conn: Conn, legs: Any, names: dict[str, list[Record]]) -> list[dict[str, Any]]:
    counts = {r.service_id: r for r in store.service_counts(conn, legs)}
    waits = {r.service_id: dist(r) for r in store.distribution(conn, legs, "wait", "service_id")}
    handling = {
        r.service_id: dist(r) for r in store.distribution(conn, legs, "handling", "service_id")
    }
    keys = {b.id: b.key for b in names["branches"]}
    rows = []
    for s in names["services"]:
        c = counts.get(s.id)
        if c is None:
            continue
        n = {k: int(getattr(c, k) or 0) for k in COUNTED}
        rows.append(
            {
                "branch": keys.get(s.branch_id, ""),
                "service": s.key,
                "name": {"da": s.name_da, "en": s.name_en},
                "area": s.area,
                "target_minutes": s.target_minutes,
                **{k: v for k, v in n.items() if not k.startswith("booked_")},
                "sources": {src: int(getattr(c, src) or 0) for src in SOURCES},
                "within_target_share": share(n["within"], n["called"]),
                "waiting": waits.get(s.id, NO_DIST).json(),
                "handling": handling.get(s.id, NO_DIST).json(),
                "_booked": (n["booked_called"], n["booked_on_time"]),
            }
        )
    return rows


def _total(services: list[dict[str, Any]], key: str) -> int:
    return sum(int(s[key]) for s in services)


def summary(conn: Conn, legs: Any, services: list[dict[str, Any]]) -> dict[str, Any]:
    (wait,) = store.distribution(conn, legs, "wait", None) or [None]
    (handling,) = store.distribution(conn, legs, "handling", None) or [None]
    totals = {k: _total(services, k) for k in COUNTED if not k.startswith("booked_")}
    return {
        **totals,
        "sources": {src: sum(s["sources"][src] for s in services) for src in SOURCES},
        "within_target_share": share(totals["within"], totals["called"]),
        "waiting": dist(wait).json(),
        "handling": dist(handling).json(),
    }


def bookings(conn: Conn, sc: Scope, legs: Any, services: list[dict[str, Any]]) -> dict[str, Any]:
    states = {r.state: int(r.bookings) for r in store.bookings(conn, sc)}
    checked_in = sum(s["sources"]["checkin"] for s in services)
    called = sum(s["_booked"][0] for s in services)
    on_time = sum(s["_booked"][1] for s in services)
    (late,) = store.distribution(
        conn, legs, "punctuality", None, lambda q: q.c.original & (q.c.source == "checkin")
    ) or [None]
    for s in services:
        del s["_booked"]
    return {
        "by_state": {state.value: states.get(state.value, 0) for state in BookingState},
        "booked_tickets": checked_in,
        "dropin_tickets": sum(s["tickets"] for s in services) - checked_in,
        "punctuality": dist(late).json(),
        "on_time_share": share(on_time, called),
    }


def overflow(conn: Conn, legs: Any) -> dict[str, int]:
    found = {(r.counter_area, r.service_area): int(r.tickets) for r in store.overflow(conn, legs)}
    lib, bs = Area.LIBRARY.value, Area.BORGERSERVICE.value
    return {
        "library_for_borgerservice": found.get((lib, bs), 0),
        "borgerservice_for_library": found.get((bs, lib), 0),
    }


def _work(rows: list[Record]) -> dict[Any, dict[str, Any]]:
    return {
        r.key: {
            "tickets": int(r.tickets),
            "no_shows": int(r.no_shows),
            "handling_minutes": minutes(r.handling) or 0.0,
            "mean_handling_minutes": minutes(float(r.handling) / r.handled) if r.handled else None,
            "busy": int(r.busy),
        }
        for r in rows
    }


def _times(rows: list[Record], key: str) -> dict[Any, tuple[int, int]]:
    found: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        found[getattr(r, key)][0] += int(r.open or 0)
        found[getattr(r, key)][1] += int(r.paused or 0)
    return {k: (v[0], v[1]) for k, v in found.items()}


def _row(work: dict[str, Any] | None, times: tuple[int, int] | None) -> dict[str, Any]:
    work = dict(work or {"tickets": 0, "no_shows": 0, "handling_minutes": 0.0, "busy": 0})
    work.setdefault("mean_handling_minutes", None)
    opened, paused = times or (0, 0)
    busy = work.pop("busy")
    return {
        **work,
        "open_minutes": minutes(opened) or 0.0,
        "paused_minutes": minutes(paused) or 0.0,
        "idle_minutes": minutes(max(opened - busy, 0)) or 0.0,
    }


def counters(
    conn: Conn, sc: Scope, legs: Any, names: dict[str, list[Record]]
) -> list[dict[str, Any]]:
    work = _work(store.counter_work(conn, legs, "counter_id"))
    times = _times(store.counter_time(conn, sc), "counter_id")
    keys = {b.id: b.key for b in names["branches"]}
    return [
        {
            "branch": keys.get(c.branch_id, ""),
            "number": c.number,
            "name": c.name,
            "area": c.area,
            **_row(work.get(c.id), times.get(c.id)),
        }
        for c in names["counters"]
        if c.id in work or c.id in times
    ]


def staff(conn: Conn, sc: Scope, legs: Any, names: dict[str, list[Record]]) -> list[dict[str, Any]]:
    work = _work(store.counter_work(conn, legs, "user_id"))
    times = _times(store.counter_time(conn, sc), "user_id")
    return [
        {"username": u.username, **_row(work.get(u.id), times.get(u.id))}
        for u in names["users"]
        if u.id in work or u.id in times
    ]


def heatmap(conn: Conn, legs: Any, offsets: Any) -> list[dict[str, Any]]:
    return [
        {
            "weekday": int(r.weekday),
            "hour": int(r.hour),
            "tickets": int(r.tickets),
            "mean_wait_minutes": minutes(r.mean_wait),
        }
        for r in sorted(
            store.heatmap(conn, legs, offsets), key=lambda r: (int(r.weekday), int(r.hour))
        )
    ]


def days(conn: Conn, legs: Any) -> list[dict[str, Any]]:
    return [
        {
            "day": (r.day if isinstance(r.day, date) else date.fromisoformat(r.day)).isoformat(),
            "tickets": int(r.tickets),
            "called": int(r.called),
            "mean_wait_minutes": minutes(r.mean_wait),
            "within_target_share": share(int(r.within), int(r.called)),
        }
        for r in store.by_day(conn, legs)
    ]
