"""The virtual clock the simulated day runs on.

Every use case takes its `now` as an argument (the web layer passes `now_of(app)`), so the
simulator replaces the application clock by handing each call this clock's time; `__call__`
makes it usable as `app.state.clock` too.
"""

from __future__ import annotations

from datetime import datetime


class VirtualClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def set(self, when: datetime) -> None:
        if when < self.now:
            raise ValueError(f"The clock cannot go back from {self.now} to {when}")
        self.now = when

    def __call__(self) -> datetime:
        return self.now
