"""Every measure of a hand-built day comes out exactly as worked out by hand, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from skranke.queue import statistics
from tests.stats.day import DAY, build_day

LATER = datetime(2026, 12, 1, tzinfo=UTC)


def dist(n: int, mean: float | None, median: float | None, p90: float | None) -> dict[str, Any]:
    return {"n": n, "mean": mean, "median": median, "p90": p90}


@pytest.fixture
def figures(database_url: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        from skranke.store.engine import Database

        db = Database(database_url)
        db.start()
        try:
            await db.write(build_day)
            return await db.read(statistics.figures, "hovedbiblioteket", DAY, DAY, LATER)  # type: ignore[no-any-return]
        finally:
            await db.stop()

    import asyncio

    return asyncio.run(run())


def by_service(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["service"]: s for s in figures["services"]}


def test_the_summary_of_the_day(figures: dict[str, Any]) -> None:
    s = figures["summary"]
    assert (s["tickets"], s["transferred_in"], s["called"], s["done"]) == (11, 1, 11, 9)
    assert s["sources"] == {"kiosk": 8, "checkin": 2, "staff": 1, "mobile": 0}
    assert s["waiting"] == dist(11, 10.5, 10.0, 20.0)
    assert s["handling"] == dist(10, 11.6, 10.0, 18.0)
    assert (s["within"], s["within_target_share"]) == (8, 72.7)
    assert (s["no_shows"], s["cancellations"], s["transfers"], s["recalls"]) == (1, 1, 1, 1)
    assert s["closed"] == 0


def test_waiting_and_handling_per_service(figures: dict[str, Any]) -> None:
    services = by_service(figures)
    flytning = services["flytning"]
    assert flytning["tickets"] == 5
    assert flytning["sources"] == {"kiosk": 4, "checkin": 0, "staff": 1, "mobile": 0}
    assert flytning["waiting"] == dist(4, 12.0, 10.0, 20.0)
    assert flytning["handling"] == dist(4, 11.0, 10.0, 13.0)
    assert flytning["within_target_share"] == 75.0
    assert (flytning["cancellations"], flytning["recalls"]) == (1, 1)
    mitid = services["mitid"]
    assert (mitid["no_shows"], mitid["within_target_share"]) == (1, 0.0)
    assert mitid["waiting"] == dist(1, 20.0, 20.0, 20.0)
    assert mitid["handling"] == dist(0, None, None, None)
    laan = services["laan"]
    assert (laan["tickets"], laan["transfers"], laan["done"]) == (2, 1, 1)
    # The parked loan: 4 minutes before parking, 5 after resuming; not the 15 parked.
    assert laan["handling"] == dist(2, 7.0, 5.0, 9.0)
    digital = services["digital"]
    # The transferred citizen waited from the transfer (09:06) to the call (09:20).
    assert (digital["tickets"], digital["transferred_in"]) == (0, 1)
    assert digital["waiting"] == dist(1, 14.0, 14.0, 14.0)
    assert digital["handling"] == dist(1, 20.0, 20.0, 20.0)
    assert services["pas"]["waiting"] == dist(1, 7.0, 7.0, 7.0)
    assert services["koerekort"]["within_target_share"] == 0.0
    assert set(services) == {"flytning", "mitid", "laan", "digital", "print", "pas", "koerekort"}


def test_bookings_against_drop_ins_and_punctuality(figures: dict[str, Any]) -> None:
    b = figures["bookings"]
    assert b["by_state"] == {
        "booked": 0,
        "checked_in": 1,
        "served": 1,
        "no_show": 1,
        "cancelled": 1,
    }
    assert (b["booked_tickets"], b["dropin_tickets"]) == (2, 9)
    # Called 2 and 10 minutes after the booked time.
    assert b["punctuality"] == dist(2, 6.0, 2.0, 10.0)
    assert b["on_time_share"] == 50.0


def test_overflow(figures: dict[str, Any]) -> None:
    assert figures["overflow"] == {"library_for_borgerservice": 1, "borgerservice_for_library": 0}


def test_per_counter_and_per_staff_member(figures: dict[str, Any]) -> None:
    counters = {c["number"]: c for c in figures["counters"]}
    assert set(counters) == {1, 3}
    assert counters[1] == {
        **counters[1],
        "tickets": 5,
        "no_shows": 1,
        "handling_minutes": 67.0,
        "mean_handling_minutes": 13.4,
        "open_minutes": 180.0,
        "paused_minutes": 0.0,
        "idle_minutes": 110.0,
    }
    assert counters[3] == {
        **counters[3],
        "tickets": 4,
        "no_shows": 0,
        "handling_minutes": 49.0,
        "mean_handling_minutes": 9.8,
        "open_minutes": 170.0,
        "paused_minutes": 10.0,
        "idle_minutes": 121.0,
    }
    staff = {s["username"]: s for s in figures["staff"]}
    assert set(staff) == {"anna", "staff"}
    strip = {"branch", "number", "name", "area"}
    assert staff["anna"] == {
        "username": "anna",
        **{k: v for k, v in counters[1].items() if k not in strip},
    }
    assert staff["staff"] == {
        "username": "staff",
        **{k: v for k, v in counters[3].items() if k not in strip},
    }


def test_hour_by_weekday_and_the_trend(figures: dict[str, Any]) -> None:
    # Tuesday is weekday 1; hours are Copenhagen's.
    assert figures["heatmap"] == [
        {"weekday": 1, "hour": 9, "tickets": 6, "mean_wait_minutes": 11.0},
        {"weekday": 1, "hour": 10, "tickets": 2, "mean_wait_minutes": 1.0},
        {"weekday": 1, "hour": 11, "tickets": 3, "mean_wait_minutes": 11.7},
    ]
    assert figures["days"] == [
        {
            "day": "2026-11-24",
            "tickets": 11,
            "called": 11,
            "mean_wait_minutes": 10.5,
            "within_target_share": 72.7,
        }
    ]
