"""A small branch with bookable services, served by the real app with a settable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Connection
from starlette.applications import Starlette

from skranke.queue.accounts import create_token, create_user, upsert_device
from skranke.queue.booking_slots import BookingSpec, make_bookable, set_closed_dates
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec, create_branch
from skranke.queue.calendar import COPENHAGEN
from skranke.queue.states import Area, DeviceKind, Role
from skranke.store.engine import Database
from tests.site import Credentials, Site, in_process

B, L = Area.BORGERSERVICE, Area.LIBRARY
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
TOWN = BranchSpec(
    key="lilleby",
    name="Lilleby Bibliotek og Borgerservice",
    address="Torvet 1, 9999 Lilleby",
    services=[
        ServiceSpec("pas", "Pas", "Passport", B, "P", 15, walk_in=False),
        ServiceSpec("flytning", "Flytning", "Change of address", B, "F", 10, simple=True),
        ServiceSpec("it-kursus", "IT-kursus", "IT course", L, "C", 60, walk_in=False),
    ],
    counters=[
        CounterSpec(1, B, {"pas": 1.0, "flytning": 1.0}),
        CounterSpec(2, L, {"it-kursus": 1.0}),
    ],
    hours={
        "dropin": {d: [["10:00", "17:00"]] for d in WEEKDAYS},
        "booking": {d: [["09:00", "12:00"]] for d in WEEKDAYS},
    },
)
# Closed for a staff day; a Monday, so it is not a holiday already.
STAFF_DAY = date(2027, 1, 11)
# Sunday before Christmas: the booking window reaches past Easter 2027.
SUNDAY_BEFORE_CHRISTMAS = datetime(2026, 12, 20, 12, 0, tzinfo=COPENHAGEN)


def setup_town(conn: Connection) -> Credentials:
    create_branch(conn, TOWN)
    make_bookable(conn, "lilleby", BookingSpec("pas", 30, 1, advance_days=120, lead_minutes=120))
    make_bookable(conn, "lilleby", BookingSpec("flytning", 15, 1, advance_days=30))
    make_bookable(conn, "lilleby", BookingSpec("it-kursus", 60, 8, bring_da="Din telefon"))
    set_closed_dates(conn, "lilleby", [STAFF_DAY])
    create_user(conn, "medarbejder", "correct horse battery", Role.STAFF, ["lilleby"])
    staff = create_token(conn, "medarbejder", "test", datetime.now(UTC))
    kiosk = upsert_device(conn, "kiosk-lilleby", DeviceKind.KIOSK, "lilleby")
    return Credentials(kiosk_token=kiosk, staff_token=staff)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: SUNDAY_BEFORE_CHRISTMAS)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Town:
    """The suite's site on Lilleby, with the clock the app reads."""

    site: Site
    clock: Clock

    @property
    def client(self) -> httpx.Client:
        return self.site.client

    @property
    def app(self) -> Starlette:
        return self.site.app

    @property
    def tokens(self) -> Credentials:
        return self.site.creds

    def write(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.site.write(fn, *args, **kwargs)

    def read(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.site.read(fn, *args, **kwargs)

    def slots(self, service: str = "pas", **query: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/services/{service}/slots", params=query)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["slots"]
        return found

    def book(self, start: str, service: str = "pas", **fields: Any) -> Any:
        body = {"service": service, "start": start, "name": "Karen Blixen", **fields}
        body.setdefault("email", "karen@example.dk")
        return self.client.post("/api/v1/bookings", json=body)


# Settings of the town's site: no scheduled jobs, and room for many bookings from one address.
TOWN_SETTINGS: dict[str, Any] = {"jobs_enabled": False, "booking_ip_limit": "1000/minute"}


@contextmanager
def open_town(database_url: str, base_url: str, **settings: Any) -> Iterator[Town]:
    clock = Clock()
    with in_process(
        database_url,
        setup_town,
        base_url=base_url,
        branch="lilleby",
        state={"clock": clock},
        **{**TOWN_SETTINGS, **settings},
    ) as site:
        yield Town(site, clock)


@pytest.fixture
def town(database_url: str) -> Iterator[Town]:
    # https: the session cookie carrying the CSRF token is Secure for an https public URL.
    with open_town(database_url, "https://testserver") as town:
        yield town


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The town's database, started, on SQLite and PostgreSQL."""
    database = Database(database_url)
    database.start()
    await database.write(setup_town)
    try:
        yield database
    finally:
        await database.stop()
