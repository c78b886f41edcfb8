"""A branch's opening calendar: weekly drop-in and booking hours, closed dates and holidays."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from skranke.queue.errors import InvalidInput

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Christmas Eve and New Year's Eve are not public holidays in Denmark, but borgerservice
# centres and most libraries close on them, so a branch is closed then unless it opts out.
CHRISTMAS_AND_NEW_YEARS_EVE: frozenset[tuple[int, int]] = frozenset({(12, 24), (12, 31)})
# Grundlovsdag (5 June) is not closed by default: many branches open, some close at noon.
_ANNUAL_NAMES = {(12, 24): "Juleaftensdag", (12, 31): "Nytårsaftensdag", (6, 5): "Grundlovsdag"}

# Strict on purpose: the admin's <input type="time"> sends "09:00", and one spelling keeps the
# stored JSON comparable. Hours run 00:00-23:59; "24:00" is refused.
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class Window:
    """Local wall-clock opening time within one day, start inclusive, end exclusive."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise InvalidInput(f"Expected start before end, but got {self}")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class WeeklyHours:
    """Windows per weekday, Monday first, each day's windows sorted and not overlapping."""

    days: tuple[tuple[Window, ...], ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise InvalidInput(f"Expected 7 weekdays, but got {len(self.days)}")
        for name, windows in zip(WEEKDAYS, self.days, strict=True):
            _check_no_overlap(name, windows)

    @classmethod
    def from_mapping(cls, days: Mapping[str, Iterable[Window]]) -> WeeklyHours:
        unknown = sorted(set(days) - set(WEEKDAYS))
        if unknown:
            raise InvalidInput(f"Expected weekdays {', '.join(WEEKDAYS)}, but got {unknown[0]!r}")
        return cls(tuple(tuple(sorted(days.get(name, ()), key=_by_start)) for name in WEEKDAYS))

    def on(self, day: date) -> tuple[Window, ...]:
        return self.days[day.weekday()]


@dataclass(frozen=True)
class BranchCalendar:
    dropin: WeeklyHours
    booking: WeeklyHours
    closed_dates: frozenset[date] = frozenset()
    # Off only for tests and for a branch that really opens on public holidays.
    public_holidays: bool = True
    closed_every_year: frozenset[tuple[int, int]] = CHRISTMAS_AND_NEW_YEARS_EVE
    tz: ZoneInfo = COPENHAGEN


@dataclass(frozen=True)
class DayHours:
    day: date
    dropin: tuple[Window, ...]
    booking: tuple[Window, ...]
    # Why the whole day is closed ("Juledag", "closed date"); None on an ordinary day.
    closed_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return bool(self.dropin or self.booking)


def closed_reason(calendar: BranchCalendar, day: date) -> str | None:
    if day in calendar.closed_dates:
        return "closed date"
    if calendar.public_holidays:
        name = danish_holidays(day.year).get(day)
        if name is not None:
            return name
    month_day = (day.month, day.day)
    if month_day in calendar.closed_every_year:
        return _ANNUAL_NAMES.get(month_day, "closed every year")
    return None


def day_hours(calendar: BranchCalendar, day: date) -> DayHours:
    reason = closed_reason(calendar, day)
    if reason is not None:
        return DayHours(day, (), (), reason)
    return DayHours(day, calendar.dropin.on(day), calendar.booking.on(day))


def is_open(calendar: BranchCalendar, day: date) -> bool:
    return day_hours(calendar, day).is_open


@lru_cache(maxsize=32)
def danish_holidays(year: int) -> Mapping[date, str]:
    """Danish public holidays of one year, with Danish names.

    The `holidays` package drops Store Bededag from 2024, when it was abolished, and includes
    the Sunday holidays (påskedag, pinsedag); 24 and 31 December are not public holidays there.
    Cached because building the table costs far more than a slot computation's lookups.
    """
    # Read-only, since every caller shares the cached table.
    return MappingProxyType(dict(holidays.country_holidays("DK", years=year, language="da")))


def weekly_hours_from_json(data: object, *, where: str = "hours") -> WeeklyHours:
    """Parse `{"mon": [["09:00", "17:00"]], ...}`; a weekday left out has no hours."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{where}: Expected an object of weekdays, but got {data!r}")
    days: dict[str, list[Window]] = {}
    for name, windows in data.items():
        if name not in WEEKDAYS:
            raise InvalidInput(
                f"{where}: Expected weekdays {', '.join(WEEKDAYS)}, but got {name!r}"
            )
        if not isinstance(windows, list):
            raise InvalidInput(f"{where}.{name}: Expected a list of windows, but got {windows!r}")
        days[name] = [
            _window_from_json(window, f"{where}.{name}[{i}]") for i, window in enumerate(windows)
        ]
    try:
        return WeeklyHours.from_mapping(days)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.detail}") from None


def weekly_hours_to_json(hours: WeeklyHours) -> dict[str, list[list[str]]]:
    return {
        name: [[f"{w.start:%H:%M}", f"{w.end:%H:%M}"] for w in windows]
        for name, windows in zip(WEEKDAYS, hours.days, strict=True)
        if windows
    }


def calendar_from_json(
    hours: object,
    *,
    closed_dates: Iterable[date] = (),
    public_holidays: bool = True,
    closed_every_year: frozenset[tuple[int, int]] = CHRISTMAS_AND_NEW_YEARS_EVE,
) -> BranchCalendar:
    """Build a calendar from the branch's `{"dropin": {...}, "booking": {...}}` hours JSON."""
    if not isinstance(hours, Mapping):
        raise InvalidInput(f"hours: Expected an object with dropin and booking, but got {hours!r}")
    unknown = sorted(set(hours) - {"dropin", "booking"})
    if unknown:
        raise InvalidInput(f"hours: Expected dropin and booking, but got {unknown[0]!r}")
    return BranchCalendar(
        dropin=weekly_hours_from_json(hours.get("dropin", {}), where="dropin"),
        booking=weekly_hours_from_json(hours.get("booking", {}), where="booking"),
        closed_dates=frozenset(closed_dates),
        public_holidays=public_holidays,
        closed_every_year=closed_every_year,
    )


def calendar_hours_to_json(calendar: BranchCalendar) -> dict[str, Any]:
    return {
        "dropin": weekly_hours_to_json(calendar.dropin),
        "booking": weekly_hours_to_json(calendar.booking),
    }


def _window_from_json(window: object, where: str) -> Window:
    if not (isinstance(window, list | tuple) and len(window) == 2):
        raise InvalidInput(f'{where}: Expected a pair ["HH:MM", "HH:MM"], but got {window!r}')
    start, end = (_time_from_json(value, where) for value in window)
    if start >= end:
        raise InvalidInput(f"{where}: Expected start before end, but got {window[0]}-{window[1]}")
    return Window(start, end)


def _time_from_json(value: object, where: str) -> time:
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidInput(f"{where}: Expected HH:MM, but got {value!r}")
    return time(int(match[1]), int(match[2]))


def _by_start(window: Window) -> time:
    return window.start


def _check_no_overlap(weekday: str, windows: tuple[Window, ...]) -> None:
    for earlier, later in pairwise(windows):
        if later.start < earlier.end:
            raise InvalidInput(
                f"{weekday}: Expected windows in order without overlap, "
                f"but got {earlier} and {later}"
            )
