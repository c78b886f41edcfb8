"""Free booking slots: a pure function of a branch calendar, a service and the seats taken."""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from skranke.queue.calendar import BranchCalendar, Window, day_hours
from skranke.queue.errors import InvalidInput


@dataclass(frozen=True)
class BookableService:
    slot_minutes: int
    # Parallel seats: counters serving the service, or places on an IT course.
    capacity: int = 1
    # No slot starts sooner than this after now, so staff see a booking before the citizen comes.
    lead_minutes: int = 0
    # Calendar days offered, counting today as the first.
    advance_days: int = 60

    def __post_init__(self) -> None:
        if not 0 < self.slot_minutes <= 24 * 60:
            raise InvalidInput(f"Expected slot_minutes in 1..1440, but got {self.slot_minutes}")
        if self.capacity < 1:
            raise InvalidInput(f"Expected capacity >= 1, but got {self.capacity}")
        if self.lead_minutes < 0:
            raise InvalidInput(f"Expected lead_minutes >= 0, but got {self.lead_minutes}")
        if self.advance_days < 1:
            raise InvalidInput(f"Expected advance_days >= 1, but got {self.advance_days}")


@dataclass(frozen=True)
class Slot:
    # Aware datetimes in the branch's zone; compare or store them as UTC.
    start: datetime
    end: datetime
    seats_left: int


def free_slots(
    calendar: BranchCalendar,
    service: BookableService,
    taken: Mapping[datetime, int],
    now: datetime,
) -> list[Slot]:
    """Bookable slots from today (local) for `service.advance_days` days, in time order.

    `taken` maps a booking start (aware, any zone, e.g. UTC from the database) to the seats
    booked there, as from `SELECT start, count(*) ... GROUP BY start`. Each booking is taken
    to last one slot length; one that is off the current grid (the slot length was changed)
    counts against every slot it overlaps, which may hide a seat but never oversells one.
    """
    _require_aware(now, "now")
    length = timedelta(minutes=service.slot_minutes)
    # Work in naive UTC: aware arithmetic within one zone ignores DST, and it is faster.
    earliest = _naive_utc(now) + timedelta(minutes=service.lead_minutes)
    starts, cumulative = _taken_seats(taken)
    slots: list[Slot] = []
    today = now.astimezone(calendar.tz).date()
    for offset in range(service.advance_days):
        day = today + timedelta(days=offset)
        for window in day_hours(calendar, day).booking:
            for wall, start_utc in _placed_slots(day, window, length, calendar.tz):
                if start_utc < earliest:
                    continue
                booked = (
                    cumulative[bisect_left(starts, start_utc + length)]
                    - cumulative[bisect_right(starts, start_utc - length)]
                )
                if booked < service.capacity:
                    start = wall.replace(tzinfo=calendar.tz)
                    end = (wall + length).replace(tzinfo=calendar.tz)
                    slots.append(Slot(start, end, service.capacity - booked))
    return slots


def nearest_free_slots(slots: Iterable[Slot], wanted: datetime, *, limit: int = 3) -> list[Slot]:
    """The `limit` slots starting closest to `wanted` (earlier wins a tie), in time order."""
    _require_aware(wanted, "wanted")
    target = _naive_utc(wanted)

    def distance(slot: Slot) -> tuple[timedelta, datetime]:
        start = _naive_utc(slot.start)
        return abs(start - target), start

    return sorted(heapq.nsmallest(limit, slots, key=distance), key=lambda slot: slot.start)


def _placed_slots(
    day: date, window: Window, length: timedelta, tz: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """Slots of one window as (naive local start, naive UTC start).

    Slots are laid out in wall time from the window's start. One whose start or end falls in a
    DST gap or repeat, or that spans a change of UTC offset, is left out: its wall time would
    not exist, would happen twice, or would not last the slot length.
    """
    wall = datetime.combine(day, window.start)
    close = datetime.combine(day, window.end)
    # Nearly every window keeps one offset throughout; check each slot only where it does not.
    window_offset = _steady_offset(wall, close, tz)
    while wall + length <= close:
        offset = (
            window_offset if window_offset is not None else _steady_offset(wall, wall + length, tz)
        )
        if offset is not None:
            yield wall, wall - offset
        wall += length


def _steady_offset(first: datetime, last: datetime, tz: ZoneInfo) -> timedelta | None:
    """The one UTC offset of naive wall times `first` to `last`, or None if there is not one."""
    # A wall time in a DST gap or repeat is the one whose offset depends on `fold`.
    offsets = {
        moment.replace(tzinfo=tz, fold=fold).utcoffset()
        for moment in (first, last)
        for fold in (0, 1)
    }
    offset = offsets.pop()
    return offset if not offsets else None


def _taken_seats(taken: Mapping[datetime, int]) -> tuple[list[datetime], list[int]]:
    """Booking starts in naive UTC, sorted, and running seat totals (one longer, from 0)."""
    pairs = []
    for start, seats in taken.items():
        # A naive start would silently be read in the server's own zone.
        _require_aware(start, "a booking start")
        pairs.append((_naive_utc(start), seats))
    pairs.sort()
    starts = [start for start, _ in pairs]
    cumulative = list(accumulate((seats for _, seats in pairs), initial=0))
    return starts, cumulative


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"Expected an aware datetime for {name}, but got naive {moment}")
