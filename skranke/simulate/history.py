"""A scenario from a branch's real weeks: `skranke simulate --from-history BRANCH --weeks 4`.

Arrivals per service and local hour are the mean over the days that had tickets; handling
times (served to finished) and the walk to the counter (called to served) are their robust
mean and spread; the no-show share is counted; booked check-ins become bookings filling the
same share of slots. Counters get their configured services and weights and are staffed for
the drop-in hours: a manager then asks "what if" with `--counters` (e.g. `5@10:00-12:00`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue.states import Area, TicketState
from skranke.simulate.scenario import Booking, Counter, Scenario, ScenarioError, Service, Spread
from skranke.store import Conn
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import forecast as forecast_store

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _spread(values: Sequence[float], default: float) -> Spread:
    usable = [v for v in values if v > 0]
    if len(usable) >= 3:
        median = statistics.median(usable)
        usable = [v for v in usable if median / 5 <= v <= 6 * median]
    if len(usable) < 3:
        return Spread(default, default / 2)
    return Spread(round(statistics.fmean(usable), 2), round(statistics.pstdev(usable), 2))


def _minutes(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else (b - a).total_seconds() / 60.0


def read(conn: Conn, branch_key: str, weeks: int, now: datetime) -> dict[str, Any]:
    """Everything the scenario is built from, read in one transaction."""
    branch = branch_store.row(conn, branch_key)
    since = now - timedelta(weeks=weeks)
    return {
        "branch": branch,
        "services": forecast_store.service_setup(conn, branch.id),
        "counters": [c for c in counter_store.of_branch(conn, branch.id) if c.active],
        "weights": counter_store.service_weights(conn, branch.id),
        "tickets": forecast_store.arrivals(conn, branch.id, since, now),
    }


def _dropin(branch: Any, weekday: str) -> tuple[time, time]:
    windows = (branch.hours or {}).get("dropin", {}).get(weekday) or [["10:00", "17:00"]]
    return time.fromisoformat(windows[0][0]), time.fromisoformat(windows[-1][1])


def build(facts: dict[str, Any], weeks: int, day: date) -> Scenario:
    branch, tz = facts["branch"], ZoneInfo(facts["branch"].timezone)
    tickets = facts["tickets"]
    if not tickets:
        raise ScenarioError(
            f"Branch {branch.key!r} has no tickets in the last {weeks} week(s) to learn from"
        )
    days = {t.issued_at.astimezone(tz).date() for t in tickets}
    per_hour: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    handling: dict[str, list[float]] = defaultdict(list)
    walks: list[float] = []
    booked: dict[str, int] = defaultdict(int)
    called = no_shows = 0
    for t in tickets:
        if t.booking_start is not None:
            booked[t.key] += 1
        else:
            per_hour[t.key][t.issued_at.astimezone(tz).hour] += 1
        if (h := _minutes(t.served_at, t.finished_at)) is not None:
            handling[t.key].append(h)
        if (w := _minutes(t.called_at, t.served_at)) is not None:
            walks.append(w)
        if t.called_at is not None:
            called += 1
            no_shows += t.state == TicketState.NO_SHOW.value
    opens, closes = _dropin(branch, WEEKDAYS[day.weekday()])
    open_minutes = (
        datetime.combine(day, closes) - datetime.combine(day, opens)
    ).total_seconds() / 60
    services = []
    for s in facts["services"]:
        booking = None
        if s.bookable:
            slots = max(open_minutes // max(s.slot_minutes, 1), 1) * max(s.capacity, 1)
            fill = min(booked[s.key] / len(days) / slots, 1.0)
            booking = Booking(s.slot_minutes, s.capacity, round(fill, 3))
        services.append(
            Service(
                key=s.key,
                name=s.name_da,
                area=Area(s.area),
                prefix=s.prefix,
                expected_minutes=s.expected_minutes,
                handling=_spread(handling[s.key], float(s.expected_minutes)),
                target_minutes=s.target_minutes,
                walk_in=s.walk_in,
                simple=s.simple,
                arrivals={
                    hour: round(n / len(days), 2) for hour, n in sorted(per_hour[s.key].items())
                },
                booking=booking,
            )
        )
    keys = {s.key for s in services}
    weights: dict[int, dict[str, float]] = defaultdict(dict)
    for counter_id, key, weight in facts["weights"]:
        if key in keys:
            weights[counter_id][key] = weight
    counters = [
        Counter(c.number, Area(c.area), weights[c.id], ((opens, closes),))
        for c in facts["counters"]
    ]
    walk = _spread(walks, 0.7)
    return Scenario(
        name=f"{branch.name}, from {len(days)} day(s) of the last {weeks} week(s)",
        description=f"Built by skranke simulate --from-history {branch.key} --weeks {weeks}",
        day=day,
        opens=opens,
        closes=closes,
        services=services,
        counters=counters,
        walk=walk,
        no_show=round(no_shows / called, 3) if called else 0.03,
    )


def to_toml(s: Scenario) -> str:
    """The scenario as TOML, to keep, edit and run again."""

    def clock(t: time) -> str:
        return t.strftime("%H:%M")

    lines = [
        f"name = {s.name!r}".replace("'", '"'),
        f'date = "{s.day.isoformat()}"',
        f'open = "{clock(s.opens)}"',
        f'close = "{clock(s.closes)}"',
        f"walk = {{ mean = {s.walk.mean}, sd = {s.walk.sd} }}",
        f"no_show = {s.no_show}",
        "",
    ]
    for sv in s.services:
        lines += [
            f"[services.{sv.key}]",
            f"name = {sv.name!r}".replace("'", '"'),
            f'area = "{sv.area.value}"',
            f'prefix = "{sv.prefix}"',
            f"expected = {sv.expected_minutes}",
            f"target = {sv.target_minutes}",
            f"walk_in = {str(sv.walk_in).lower()}",
            f"simple = {str(sv.simple).lower()}",
            f"handling = {{ mean = {sv.handling.mean}, sd = {sv.handling.sd} }}",
            "arrivals = { " + ", ".join(f"{h} = {r}" for h, r in sv.arrivals.items()) + " }",
        ]
        if sv.booking is not None:
            b = sv.booking
            lines.append(
                f"booking = {{ slot = {b.slot_minutes}, capacity = {b.capacity}, fill = {b.fill} }}"
            )
        lines.append("")
    for c in s.counters:
        weights = ", ".join(f"{k} = {v}" for k, v in c.weights.items())
        hours = ", ".join(f'["{clock(a)}", "{clock(b)}"]' for a, b in c.hours)
        lines += [
            "[[counters]]",
            f"number = {c.number}",
            f'area = "{c.area.value}"',
            f"services = {{ {weights} }}",
            f"hours = [{hours}]",
            "",
        ]
    return "\n".join(lines)
