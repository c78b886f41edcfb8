"""Is drop-in open now, when does it open next, and when do walk-in tickets stop (issue 11).

The pure part works over `queue.calendar`: a branch's weekly drop-in hours, its special days
(`branch.special_hours`: other hours on one date, which beat the week, public holidays and
24/31 December), its closed dates (which beat everything), and a cut-off: walk-in tickets
stop `cutoff` before drop-in closes, and also when the estimated wait runs past closing —
a citizen who cannot be reached before the doors close is better told to book a time.

The last part reads a branch's opening for ticket issuing, remembered on the connection like
the service row (`store.memo`): the kiosk asks on every ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue.calendar import (
    BranchCalendar,
    Window,
    calendar_from_json,
    day_hours,
    weekly_hours_from_json,
)
from skranke.queue.errors import Conflict, InvalidInput, NotFound
from skranke.store import Conn, memo, pages
from skranke.store import branches as branch_store

# How far ahead "opens at" looks; a branch closed longer than this says only "closed".
HORIZON_DAYS = 60


class DropIn(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # outside drop-in hours
    CUTOFF = "cutoff"  # open, but past the last walk-in ticket of the day
    TOO_LATE = "too_late"  # open, but the estimated wait runs past closing


@dataclass(frozen=True)
class Opening:
    calendar: BranchCalendar
    # Dates with other drop-in hours than the week's (an empty tuple: closed that day).
    special: Mapping[date, tuple[Window, ...]] = field(default_factory=dict)
    cutoff: timedelta = timedelta(0)
    # Each day's windows as UTC moments (start, end, last ticket), worked out once: the kiosk
    # asks on every ticket, and holidays and time zones cost far more than the comparisons.
    _days: dict[date, tuple[tuple[datetime, datetime, datetime], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def moments(self, day: date) -> tuple[tuple[datetime, datetime, datetime], ...]:
        found = self._days.get(day)
        if found is None:
            if len(self._days) > 400:
                self._days.clear()
            found = tuple(
                (start.astimezone(UTC), end.astimezone(UTC), (end - self.cutoff).astimezone(UTC))
                for start, end in (_moments(self, day, w) for w in dropin_windows(self, day))
            )
            self._days[day] = found
        return found


@dataclass(frozen=True)
class DropInState:
    state: DropIn
    # The end of the drop-in window we are in (None when closed).
    closes_at: datetime | None = None
    # The last moment a walk-in ticket is issued: closes_at minus the cut-off.
    last_ticket_at: datetime | None = None
    # The next moment tickets can be taken, within HORIZON_DAYS; None when open now or never.
    opens_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state == DropIn.OPEN

    @property
    def changes_at(self) -> datetime | None:
        """When this state ends by itself (a page can look again then)."""
        return self.opens_at if not self.is_open else self.last_ticket_at


class Closed(Conflict):
    """No walk-in ticket now; `opens_at` says when there will be (None: not in 60 days)."""

    code = "closed"

    def __init__(self, detail: str, reason: DropIn, opens_at: datetime | None) -> None:
        super().__init__(detail)
        self.reason, self.opens_at = reason, opens_at
        # Carried into the API's error body beside "error" and "detail".
        self.extra = {"opens_at": None if opens_at is None else opens_at.isoformat()}


def dropin_windows(opening: Opening, day: date) -> tuple[Window, ...]:
    calendar = opening.calendar
    if day in calendar.closed_dates:
        return ()
    if day in opening.special:
        return opening.special[day]
    return day_hours(calendar, day).dropin


def _moments(opening: Opening, day: date, window: Window) -> tuple[datetime, datetime]:
    tz = opening.calendar.tz
    return datetime.combine(day, window.start, tz), datetime.combine(day, window.end, tz)


def dropin_state(opening: Opening, now: datetime) -> DropInState:
    """Drop-in at `now`: open (until when), past the cut-off, or closed (opening when)."""
    today = now.astimezone(opening.calendar.tz).date()
    for start, end, last in opening.moments(today):
        if start <= now < last:
            return DropInState(DropIn.OPEN, end, last)
        if last <= now < end and start <= now:
            return DropInState(DropIn.CUTOFF, end, last, next_opening(opening, now))
    return DropInState(DropIn.CLOSED, opens_at=next_opening(opening, now))


def next_opening(opening: Opening, now: datetime) -> datetime | None:
    """The start of the next drop-in window after `now` that leaves time for a ticket."""
    today = now.astimezone(opening.calendar.tz).date()
    for offset in range(HORIZON_DAYS + 1):
        day = today + timedelta(days=offset)
        for start, _, last in opening.moments(day):
            if start > now and last > start:
                return start.astimezone(opening.calendar.tz)
    return None


def runs_past_closing(state: DropInState, now: datetime, wait_minutes: int | None) -> bool:
    """A ticket taken now would not be called before drop-in closes (by its estimate)."""
    if state.closes_at is None or wait_minutes is None:
        return False
    return now + timedelta(minutes=wait_minutes) > state.closes_at


def refuse(state: DropInState) -> None:
    """Raise `Closed` unless walk-in tickets are issued in `state`."""
    if state.is_open:
        return
    when = "not within the next 60 days" if state.opens_at is None else state.opens_at.isoformat()
    if state.state == DropIn.CUTOFF:
        detail = f"No more walk-in tickets today; book a time. Drop-in opens again {when}"
    else:
        detail = f"Drop-in is closed; it opens {when}"
    raise Closed(detail, state.state, state.opens_at)


def refuse_too_late(
    opening: Opening, state: DropInState, now: datetime, wait_minutes: int | None
) -> None:
    """Raise `Closed` if a ticket taken now would, by its estimate, wait past closing."""
    if not runs_past_closing(state, now, wait_minutes) or state.closes_at is None:
        return
    opens_at = next_opening(opening, state.closes_at)
    raise Closed(
        f"The estimated wait of {wait_minutes} minutes runs past closing at "
        f"{state.closes_at.isoformat()}; we cannot serve you today. Book a time",
        DropIn.TOO_LATE,
        opens_at,
    )


def opening_from_json(
    hours: object,
    *,
    closed_dates: object = (),
    special_hours: object = None,
    cutoff_minutes: int = 0,
    timezone: str = "Europe/Copenhagen",
) -> Opening:
    """A branch's opening from its stored columns (see `store.tables.Branch`)."""
    if not isinstance(closed_dates, list | tuple):
        raise InvalidInput(f"closed_dates: Expected a list of dates, but got {closed_dates!r}")
    calendar = calendar_from_json(hours or {}, closed_dates=[_date(d) for d in closed_dates])
    calendar = BranchCalendar(
        calendar.dropin,
        calendar.booking,
        calendar.closed_dates,
        calendar.public_holidays,
        calendar.closed_every_year,
        ZoneInfo(timezone),
    )
    special: dict[date, tuple[Window, ...]] = {}
    days = special_hours or {}
    if not isinstance(days, Mapping):
        raise InvalidInput(f"special_hours: Expected an object of dates, got {special_hours!r}")
    for raw_day, day_value in days.items():
        day = _date(raw_day)
        windows = day_value.get("dropin", []) if isinstance(day_value, Mapping) else day_value
        where = f"special_hours.{raw_day}"
        special[day] = weekly_hours_from_json({"mon": windows}, where=where).days[0]
    return Opening(calendar, special, timedelta(minutes=max(cutoff_minutes, 0)))


def _date(value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"Expected a date YYYY-MM-DD, but got {value!r}") from None


# ---- Reading a branch's opening (use-case glue) ----


def has_hours(hours: Any) -> bool:
    """A branch whose hours were never set up (no windows at all) is not held to any."""
    return isinstance(hours, Mapping) and any(hours.get(part) for part in ("dropin", "booking"))


def branch_opening(conn: Conn, branch_key: str, default_cutoff: int) -> Opening | None:
    """The branch's opening for drop-in, remembered on the connection; None without hours."""

    def load() -> Opening | None:
        branch = branch_store.row(conn, branch_key)
        if not has_hours(branch.hours):
            return None
        cutoff = branch.cutoff_minutes if branch.cutoff_minutes is not None else default_cutoff
        return opening_from_json(
            branch.hours,
            closed_dates=list(branch.closed_dates or []),
            special_hours=branch.special_hours or {},
            cutoff_minutes=cutoff,
            timezone=branch.timezone,
        )

    found: Opening | None = memo.recall(conn, ("opening", branch_key, default_cutoff), load)
    return found


def branch_dropin(
    conn: Conn, branch_key: str, now: datetime, default_cutoff: int = 0
) -> DropInState:
    """The branch's drop-in state now (always open for a branch without hours)."""
    opening = branch_opening(conn, branch_key, default_cutoff)
    if opening is None:
        return DropInState(DropIn.OPEN)
    return dropin_state(opening, now)


def walk_in_hours(
    conn: Conn, branch_key: str, now: datetime, default_cutoff: int = 0
) -> tuple[Opening, DropInState] | None:
    """For issuing a walk-in ticket: `Closed` outside drop-in hours or past the cut-off;
    otherwise what `refuse_too_late` needs once the ticket's estimate is known."""
    opening = branch_opening(conn, branch_key, default_cutoff)
    if opening is None:
        return None
    state = dropin_state(opening, now)
    refuse(state)
    return opening, state


def kiosk_dropin(
    conn: Conn, device_key: str, now: datetime, default_cutoff: int = 0
) -> DropInState:
    """Drop-in at the kiosk's branch now (the kiosk page asks every minute)."""
    device = pages.kiosk_device(conn, device_key)
    if device is None:
        raise NotFound(f"Unknown kiosk {device_key!r}")
    return branch_dropin(conn, device.branch_key, now, default_cutoff)
