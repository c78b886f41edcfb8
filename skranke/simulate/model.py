"""What a simulated day records: the waits shown, the citizens, the counters, the day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Shown:
    """One wait shown to a citizen: where, when, the new estimate (and range), the old one."""

    kind: str
    at: datetime
    minutes: int
    low: int | None
    high: int | None
    old: int


@dataclass
class Citizen:
    ticket_id: int
    service: str
    tracking: str
    issued_at: datetime
    booked: bool
    shown: list[Shown] = field(default_factory=list)
    called_at: datetime | None = None
    no_show: bool = False


@dataclass
class CounterRun:
    number: int
    counter_id: int
    blocks: list[tuple[datetime, datetime]]
    open: bool = False
    busy: bool = False
    busy_seconds: float = 0.0
    open_seconds: float = 0.0
    opened_at: datetime | None = None


@dataclass
class Day:
    day: date
    citizens: list[Citizen]
    counters: list[CounterRun]
    # (time, waiting per area)
    samples: list[tuple[datetime, dict[str, int]]]
    wall_seconds: float = 0.0
