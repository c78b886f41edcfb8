"""Estimated wait: work ahead divided by the counters open for it (DESIGN §4)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def handling_minutes(recent_durations_minutes: Sequence[float], default: float) -> float:
    """Mean of recent handling times; the configured default until there is history."""
    # Outliers (a ticket left open over lunch) would distort the mean for hours.
    usable = [d for d in recent_durations_minutes if 0 < d <= 6 * max(default, 1.0)]
    if not usable:
        return default
    return sum(usable) / len(usable)


def estimated_wait_minutes(ahead: int, per_ticket_minutes: float, open_counters: int) -> int:
    # With no counter open yet we assume one will open rather than promise nothing.
    counters = max(open_counters, 1)
    return math.ceil(ahead * per_ticket_minutes / counters)
