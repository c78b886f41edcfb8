"""A small branch with bookable services, served by the real app with a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Connection
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.queue.accounts import create_token, create_user, upsert_device
from skranke.queue.booking_slots import BookingSpec, make_bookable, set_closed_dates
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec, create_branch
from skranke.queue.calendar import COPENHAGEN
from skranke.queue.states import Area, DeviceKind, Role
from skranke.web.app import create_app

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


@dataclass
class Tokens:
    staff: str
    kiosk: str


def setup_town(conn: Connection) -> Tokens:
    create_branch(conn, TOWN)
    make_bookable(conn, "lilleby", BookingSpec("pas", 30, 1, advance_days=120, lead_minutes=120))
    make_bookable(conn, "lilleby", BookingSpec("flytning", 15, 1, advance_days=30))
    make_bookable(conn, "lilleby", BookingSpec("it-kursus", 60, 8, bring_da="Din telefon"))
    set_closed_dates(conn, "lilleby", [STAFF_DAY])
    create_user(conn, "medarbejder", "correct horse battery", Role.STAFF, ["lilleby"])
    staff = create_token(conn, "medarbejder", "test", datetime.now(UTC))
    kiosk = upsert_device(conn, "kiosk-lilleby", DeviceKind.KIOSK, "lilleby")
    return Tokens(staff, kiosk)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: SUNDAY_BEFORE_CHRISTMAS)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Town:
    client: TestClient
    app: Any
    clock: Clock
    tokens: Tokens

    def write(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.client.portal.call(lambda: self.app.state.db.write(fn, *args, **kwargs))  # type: ignore[union-attr]

    def read(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.client.portal.call(lambda: self.app.state.db.read(fn, *args, **kwargs))  # type: ignore[union-attr]

    def slots(self, service: str = "pas", **query: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/services/{service}/slots", params=query)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["slots"]
        return found

    def book(self, start: str, service: str = "pas", **fields: Any) -> Any:
        body = {"service": service, "start": start, "name": "Karen Blixen", **fields}
        body.setdefault("email", "karen@example.dk")
        return self.client.post("/api/v1/bookings", json=body)


def town_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "public_url": "https://skranke.example",
        "jobs_enabled": False,
        "booking_ip_limit": "1000/minute",
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def town(database_url: str) -> Iterator[Town]:
    app = create_app(town_settings(database_url))
    clock = Clock()
    app.state.clock = clock
    # https: the session cookie carrying the CSRF token is Secure for an https public URL.
    with TestClient(app, base_url="https://testserver") as client:
        tokens = client.portal.call(app.state.db.write, setup_town)  # type: ignore[union-attr]
        yield Town(client, app, clock, tokens)
