"""Time the 60-day availability of a busy service; prints one JSON line.

A passport service at a branch taking bookings on weekdays, 15-minute slots at four parallel
counters, and 5,000 bookings spread at random over the 60 days: about 90 % of the seats, as in
the spring passport rush. Quality bar (DESIGN.md section 10): under 20 ms.
"""

from __future__ import annotations

import json
import random
import statistics
import time as clock
from datetime import UTC, date, datetime

from skranke.queue.calendar import (
    COPENHAGEN,
    BranchCalendar,
    WeeklyHours,
    weekly_hours_from_json,
)
from skranke.queue.slots import BookableService, Slot, free_slots

DAYS = 60
BOOKINGS = 5_000
REPETITIONS = 300
TARGET_MS = 20.0
# A Monday in March, so the 60 days cross Easter and the switch to summer time.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=COPENHAGEN)


def build() -> tuple[BranchCalendar, BookableService, dict[datetime, int]]:
    weekday = [["08:00", "12:00"], ["12:30", "17:00"]]
    booking = weekly_hours_from_json(
        {
            "mon": weekday,
            "tue": weekday,
            "wed": weekday,
            "thu": [["08:00", "18:00"]],
            "fri": weekday,
        }
    )
    calendar = BranchCalendar(
        dropin=WeeklyHours(), booking=booking, closed_dates=frozenset({date(2027, 4, 16)})
    )
    service = BookableService(slot_minutes=15, capacity=4, lead_minutes=120, advance_days=DAYS)

    # Book onto the real grid, as citizens would: every seat of an empty calendar is a candidate.
    seats = [
        slot.start
        for slot in free_slots(calendar, service, {}, NOW)
        for _ in range(slot.seats_left)
    ]
    rng = random.Random(2027)
    taken: dict[datetime, int] = {}
    for start in rng.sample(seats, BOOKINGS):
        # Stored as UTC in the database, so hand them over that way.
        key = start.astimezone(UTC)
        taken[key] = taken.get(key, 0) + 1
    return calendar, service, taken


def run() -> dict[str, object]:
    calendar, service, taken = build()
    result: list[Slot] = []
    timings: list[float] = []
    for _ in range(REPETITIONS):
        began = clock.perf_counter()
        result = free_slots(calendar, service, taken, NOW)
        timings.append((clock.perf_counter() - began) * 1000)
    p99 = statistics.quantiles(timings, n=100)[98]
    return {
        "bench": "slots",
        "days": DAYS,
        "bookings": sum(taken.values()),
        "slots_offered": len(result),
        "seats_left": sum(slot.seats_left for slot in result),
        "repetitions": REPETITIONS,
        "min_ms": round(min(timings), 3),
        "median_ms": round(statistics.median(timings), 3),
        "p99_ms": round(p99, 3),
        "target_ms": TARGET_MS,
        "ok": p99 < TARGET_MS,
    }


def main() -> None:
    print(json.dumps(run()))


if __name__ == "__main__":
    main()
