"""Free slots through the API and the database: holidays, closed dates, lead time, DST."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from skranke.queue.calendar import COPENHAGEN
from tests.bookings.conftest import STAFF_DAY, Town


def days_of(slots: list[dict[str, object]]) -> set[date]:
    return {datetime.fromisoformat(str(s["start"])).date() for s in slots}


def test_juledag_2026_has_no_slots_but_the_monday_before_does(town: Town) -> None:
    slots = town.slots(**{"from": "2026-12-21", "to": "2026-12-31"})

    assert date(2026, 12, 21) in days_of(slots)
    assert date(2026, 12, 25) not in days_of(slots)
    assert date(2026, 12, 24) not in days_of(slots)


def test_skaertorsdag_2027_has_no_slots(town: Town) -> None:
    slots = town.slots(**{"from": "2027-03-22", "to": "2027-03-27"})

    assert date(2027, 3, 24) in days_of(slots)
    assert date(2027, 3, 25) not in days_of(slots)


def test_a_closed_date_of_the_branch_has_no_slots(town: Town) -> None:
    slots = town.slots(**{"from": "2027-01-11", "to": "2027-01-13"})

    assert days_of(slots) == {date(2027, 1, 12)}
    assert STAFF_DAY not in days_of(slots)


def test_past_times_and_the_lead_time_are_not_offered(town: Town) -> None:
    town.clock.now = datetime(2026, 12, 21, 9, 40, tzinfo=COPENHAGEN)

    today = town.slots(**{"from": "2026-12-21", "to": "2026-12-22"})

    # Two hours' notice from 09:40: the first start is 11:40 or later, so 12:00 is past closing.
    assert [s["start"] for s in today] == []
    town.clock.now = datetime(2026, 12, 21, 8, 0, tzinfo=COPENHAGEN)
    today = town.slots(**{"from": "2026-12-21", "to": "2026-12-22"})
    assert [s["start"][11:16] for s in today] == ["10:00", "10:30", "11:00", "11:30"]


def test_clocks_going_forward_on_28_march_2027_keep_nine_oclock_local(town: Town) -> None:
    slots = town.slots(**{"from": "2027-03-23", "to": "2027-03-31"})

    by_day = {s["start"][:10]: s["start"] for s in slots if s["start"][11:16] == "09:00"}
    # Easter: 25, 26, 28 and 29 March are holidays; 28 March is also the change to summer time.
    assert sorted(by_day) == ["2027-03-23", "2027-03-24", "2027-03-30"]
    assert by_day["2027-03-23"] == "2027-03-23T09:00:00+01:00"
    assert by_day["2027-03-30"] == "2027-03-30T09:00:00+02:00"


def test_a_booking_in_summer_time_takes_the_seat_of_its_local_slot(town: Town) -> None:
    assert town.book("2027-03-30T07:00:00Z").status_code == 201

    slots = town.slots(**{"from": "2027-03-30", "to": "2027-03-31"})

    assert "2027-03-30T09:00:00+02:00" not in [s["start"] for s in slots]
    assert "2027-03-30T09:30:00+02:00" in [s["start"] for s in slots]


def test_an_it_course_shows_the_seats_left(town: Town) -> None:
    first = town.slots("it-kursus")[0]
    for n in range(3):
        response = town.book(first["start"], "it-kursus", email=f"elev{n}@example.dk")
        assert response.status_code == 201, response.text

    again = town.slots("it-kursus")[0]

    assert (again["start"], again["seats_left"]) == (first["start"], 5)


def test_unknown_service_and_bad_dates_are_clear_4xx(town: Town) -> None:
    assert town.client.get("/api/v1/services/ingen/slots").status_code == 404
    bad = town.client.get("/api/v1/services/pas/slots", params={"from": "i morgen"})
    assert bad.status_code == 422
    assert set(bad.json()) == {"error", "detail"}


def test_the_advance_window_ends_the_offer(town: Town) -> None:
    slots = town.slots()

    last = max(datetime.fromisoformat(s["start"]) for s in slots)
    assert last.date() < (town.clock.now + timedelta(days=120)).date()
