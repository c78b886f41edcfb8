"""The demo branch with its opening hours enforced, on a clock the tests set.

The demo's drop-in hours: Monday-Friday 10-17 (Thursday to 18), Saturday 10-14; booking
hours Monday-Friday 9-16; Europe/Copenhagen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from skranke.demo import BRANCH
from skranke.store import Conn, memo
from skranke.store.tables import branch_t
from tests.site import Credentials, Site, demo, in_process

CPH = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# The demo's hours (skranke/demo_kommune.toml), spelled out here so the tests say what they use.
HOURS = {
    "dropin": {
        **{d: [["10:00", "17:00"]] for d in WEEKDAYS},
        "thu": [["10:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
    },
    "booking": {d: [["09:00", "16:00"]] for d in WEEKDAYS},
}
# Tuesday 8 December 2026, 21:22 local: the evening of issue 11's report.
TUESDAY_EVENING = datetime(2026, 12, 8, 21, 22, tzinfo=CPH)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)  # type: ignore[misc]


@dataclass
class Clock:
    now: datetime = TUESDAY_EVENING

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hours:
    site: Site
    clock: Clock = field(default_factory=Clock)

    def at(self, moment: datetime) -> Hours:
        self.clock.now = moment
        return self

    def set_branch(self, **values: Any) -> None:
        """Change the demo branch's columns (hours, closed_dates, special_hours, cutoff)."""
        self.site.write(set_branch, values)


def set_branch(conn: Conn, values: dict[str, Any]) -> None:
    conn.execute(sa.update(branch_t).where(branch_t.c.key == BRANCH).values(**values))
    # What issuing remembers of the branch is forgotten, as the administration's writes do.
    memo.forget(conn)


def with_branch(**values: Any) -> Callable[[Conn], Credentials]:
    def setup(conn: Conn) -> Credentials:
        creds = demo(None)(conn)
        set_branch(conn, {"hours": HOURS, **values})
        return creds

    return setup


@contextmanager
def open_hours(
    database_url: str,
    moment: datetime = TUESDAY_EVENING,
    branch: dict[str, Any] | None = None,
    **settings: Any,
) -> Iterator[Hours]:
    clock = Clock(moment)
    with in_process(
        database_url,
        with_branch(**(branch or {})),
        state={"clock": clock},
        kiosk_hours=True,
        jobs_enabled=False,
        **settings,
    ) as site:
        yield Hours(site, clock)


@pytest.fixture
def hours(database_url: str) -> Iterator[Hours]:
    with open_hours(database_url) as found:
        yield found
