"""How long a counter is held per ticket, learned robustly, and how a wait is shown.

The forward run of routing that turns these into waits lives in `skranke.queue.forecast`.
`naive_wait_minutes` is the first estimator (tickets ahead x handling time / open counters),
kept only so the simulator and `bench/estimate_accuracy.py` can show what it got wrong.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Until this many times are known the configured default makes up the rest: the first odd
# ticket of a service must not swing every estimate, and real times must win quickly.
PRIOR_WEIGHT = 3.0
# Times more than this many medians long are taken for a ticket left open, not an errand.
OUTLIER_FACTOR = 6.0
# The spread assumed until there is history (standard deviation / mean).
DEFAULT_SPREAD = 0.5
# A wait is shown as a range when the likely spread around it is at least this wide.
RANGE_FROM_MINUTES = 5
# A service's own recent times count against this many tickets' worth of the branch's pace
# (every service's real time over its configured one) applied to its configured time: twenty
# times of an uneven errand say little alone, and a slow day is slow for most errands. (4, 8
# and 16 measured; 8 kept, docs/simulation.md.)
POOL_WEIGHT = 8.0
# Its own spread counts against this many tickets' worth of the branch's spread.
SPREAD_POOL_WEIGHT = 10.0
# An hour of the day gets its own pace only from this many tickets of the service in that
# hour (over the last weeks), and counts against this many tickets' worth of "like any hour".
HOUR_MIN = 30
HOUR_WEIGHT = 20.0


@dataclass(frozen=True, slots=True)
class Handling:
    """Minutes a counter is held per ticket of a service (call to finish), and its spread."""

    minutes: float
    spread: float = DEFAULT_SPREAD


def learn(durations_minutes: Sequence[float], default: float) -> Handling:
    """Robust mean and spread of recent counter times, pulled towards the configured default.

    Times far from the median (a ticket left open over lunch, a finish tapped by mistake at
    once) are dropped before averaging, so one of them cannot distort estimates for hours.
    """
    default = max(default, 0.5)
    usable = [d for d in durations_minutes if d > 0]
    if len(usable) >= 3:
        median = statistics.median(usable)
        usable = [d for d in usable if median / 5 <= d <= OUTLIER_FACTOR * median]
    if not usable:
        return Handling(default, DEFAULT_SPREAD)
    n = len(usable)
    mean = sum(usable) / n
    prior = max(PRIOR_WEIGHT - n, 0.0)
    blended = (n * mean + prior * default) / (n + prior)
    spread = DEFAULT_SPREAD
    if n >= 5:
        spread = statistics.pstdev(usable) / mean if mean > 0 else DEFAULT_SPREAD
        spread = (n * spread + PRIOR_WEIGHT * DEFAULT_SPREAD) / (n + PRIOR_WEIGHT)
    return Handling(blended, spread)


def _usable(durations_minutes: Sequence[float]) -> list[float]:
    usable = [d for d in durations_minutes if d > 0]
    if len(usable) >= 3:
        median = statistics.median(usable)
        usable = [d for d in usable if median / 5 <= d <= OUTLIER_FACTOR * median]
    return usable


def hour_factor(in_hour: Sequence[float], every_hour: Sequence[float]) -> float:
    """How much longer (> 1) or shorter this hour's errands of a service are than its usual,
    from the last weeks; 1.0 until the hour has `HOUR_MIN` tickets."""
    hour, every = _usable(in_hour), _usable(every_hour)
    if len(hour) < HOUR_MIN or not every:
        return 1.0
    ratio = (sum(hour) / len(hour)) / (sum(every) / len(every))
    return (len(hour) * ratio + HOUR_WEIGHT) / (len(hour) + HOUR_WEIGHT)


def learn_branch(
    recent: Mapping[int, Sequence[float]],
    defaults: Mapping[int, float],
    hours: Mapping[int, float] | None = None,
) -> dict[int, Handling]:
    """Every service's handling from its recent times, the branch's pace and the hour.

    `recent`: service id -> its last counter times (minutes); `defaults`: the configured
    minutes; `hours`: service id -> `hour_factor` for the hour of day. One uneven errand's
    twenty times give its mean to within about a sixth; the branch's pace over all its
    services (real time / configured time) is known far better, so each service's own mean
    is pulled towards its configured time at that pace, and its spread towards the branch's.
    """
    usable = {sid: _usable(recent.get(sid, ())) for sid in defaults}
    configured = {sid: max(d, 0.5) for sid, d in defaults.items()}
    typical = sum(configured.values()) / len(configured) if configured else 10.0
    # As in `learn`: until PRIOR_WEIGHT times are known, the configured pace makes up the rest.
    known = sum(len(u) for u in usable.values())
    prior = max(PRIOR_WEIGHT - known, 0.0) * typical
    real = prior + sum(sum(u) for u in usable.values())
    planned = prior + sum(configured[s] * len(u) for s, u in usable.items())
    pace = real / planned if planned > 0 else 1.0
    spreads = [
        (len(u), statistics.pstdev(u) / (sum(u) / len(u))) for u in usable.values() if len(u) >= 5
    ]
    branch_spread = (PRIOR_WEIGHT * DEFAULT_SPREAD + sum(n * s for n, s in spreads)) / (
        PRIOR_WEIGHT + sum(n for n, _ in spreads)
    )
    learned = {}
    for sid, u in usable.items():
        n = len(u)
        mean = (sum(u) + POOL_WEIGHT * pace * configured[sid]) / (n + POOL_WEIGHT)
        spread = branch_spread
        if n >= 5:
            own = statistics.pstdev(u) / (sum(u) / n)
            spread = (n * own + SPREAD_POOL_WEIGHT * branch_spread) / (n + SPREAD_POOL_WEIGHT)
        factor = (hours or {}).get(sid, 1.0)
        learned[sid] = Handling(mean * factor, spread)
    return learned


def handling_minutes(recent_durations_minutes: Sequence[float], default: float) -> float:
    """The learned mean alone (`learn(...).minutes`)."""
    return learn(recent_durations_minutes, default).minutes


@dataclass(frozen=True, slots=True)
class Wait:
    """A wait as shown: minutes, and a range (low, high) where the uncertainty is wide."""

    minutes: int
    low: int | None = None
    high: int | None = None

    @property
    def range(self) -> tuple[int, int] | None:
        return None if self.low is None or self.high is None else (self.low, self.high)


def shown(minutes: float, spread: float, per_ticket: float, *, someone_ahead: bool) -> Wait:
    """Round a predicted wait for people, with a range when it is uncertain.

    Handling times vary ticket by ticket, so the error of a wait grows like the square root of
    the work ahead: about `spread * sqrt(per_ticket * minutes)`, plus some for the arrivals and
    choices no forecast knows. Never 0 while someone is ahead or every counter is busy.
    """
    minutes = max(minutes, 0.0)
    whole = round(minutes)
    if someone_ahead and whole < 1:
        whole = 1
    width = spread * math.sqrt(max(per_ticket, 1.0) * minutes) + 0.1 * minutes
    if 2 * width < RANGE_FROM_MINUTES:
        return Wait(whole)
    low = max(math.floor(minutes - width), 1 if someone_ahead else 0)
    high = max(math.ceil(minutes + width), whole)
    return Wait(whole, min(low, whole), high)


def naive_wait_minutes(ahead: int, per_ticket_minutes: float, open_counters: int) -> int:
    """The first estimator: the work ahead shared by every open counter of the service."""
    # With no counter open yet we assume one will open rather than promise nothing.
    counters = max(open_counters, 1)
    return math.ceil(ahead * per_ticket_minutes / counters)


# The old name, still used where a plain share of the work is wanted (no counters modelled).
estimated_wait_minutes = naive_wait_minutes
