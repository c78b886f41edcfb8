from datetime import date, time
from functools import partial

import pytest

from skranke.queue.calendar import (
    WeeklyHours,
    Window,
    calendar_from_json,
    calendar_hours_to_json,
    day_hours,
    is_open,
    weekly_hours_from_json,
    weekly_hours_to_json,
)
from skranke.queue.errors import InvalidInput

NOERREBRO_HOURS = {
    "dropin": {
        "mon": [["10:00", "12:00"]],
        "tue": [["10:00", "12:00"]],
        "wed": [["10:00", "12:00"]],
        "thu": [["10:00", "12:00"], ["15:00", "17:30"]],
        "fri": [["10:00", "12:00"]],
    },
    "booking": {
        "mon": [["08:30", "10:00"], ["12:00", "15:00"]],
        "tue": [["08:30", "10:00"], ["12:00", "15:00"]],
        "wed": [["08:30", "10:00"], ["12:00", "15:00"]],
        "thu": [["08:30", "10:00"], ["12:00", "15:00"]],
        "fri": [["08:30", "10:00"]],
        "sat": [["10:00", "13:00"]],
    },
}


noerrebro = partial(calendar_from_json, NOERREBRO_HOURS)


def test_ordinary_thursday_has_separate_dropin_and_booking_windows() -> None:
    calendar = noerrebro()

    hours = day_hours(calendar, date(2027, 3, 18))

    assert hours.dropin == (Window(time(10), time(12)), Window(time(15), time(17, 30)))
    assert hours.booking == (Window(time(8, 30), time(10)), Window(time(12), time(15)))
    assert hours.closed_reason is None
    assert hours.is_open


def test_weekday_without_hours_is_closed() -> None:
    calendar = noerrebro()

    assert not is_open(calendar, date(2027, 3, 21))  # a Sunday


def test_juledag_2026_is_closed() -> None:
    calendar = noerrebro()

    hours = day_hours(calendar, date(2026, 12, 25))

    assert hours.closed_reason == "Juledag"
    assert hours.dropin == hours.booking == ()


def test_skaertorsdag_2027_is_closed() -> None:
    calendar = noerrebro()

    assert day_hours(calendar, date(2027, 3, 25)).closed_reason == "Skærtorsdag"


@pytest.mark.parametrize(
    "holiday",
    [
        date(2027, 1, 1),  # nytårsdag
        date(2027, 3, 25),  # skærtorsdag
        date(2027, 3, 26),  # langfredag
        date(2027, 3, 29),  # 2. påskedag
        date(2027, 5, 6),  # Kristi himmelfartsdag
        date(2027, 5, 17),  # 2. pinsedag
        date(2027, 12, 25),  # juledag (a Saturday, when the branch has booking hours)
        date(2027, 12, 26),  # 2. juledag
    ],
)
def test_danish_public_holidays_are_closed(holiday: date) -> None:
    calendar = noerrebro()

    assert not is_open(calendar, holiday)


def test_store_bededag_is_closed_in_2023() -> None:
    calendar = noerrebro()

    assert not is_open(calendar, date(2023, 5, 5))


def test_store_bededag_is_an_ordinary_friday_from_2024() -> None:
    calendar = noerrebro()

    assert is_open(calendar, date(2024, 4, 26))


def test_christmas_eve_and_new_years_eve_are_closed_by_default() -> None:
    calendar = noerrebro()

    assert day_hours(calendar, date(2026, 12, 24)).closed_reason == "Juleaftensdag"
    assert day_hours(calendar, date(2026, 12, 31)).closed_reason == "Nytårsaftensdag"


def test_branch_may_open_on_christmas_eve() -> None:
    calendar = noerrebro(closed_every_year=frozenset({(12, 31)}))

    assert is_open(calendar, date(2026, 12, 24))


def test_configured_closed_date_is_closed() -> None:
    calendar = noerrebro(closed_dates=[date(2027, 4, 16)])

    assert day_hours(calendar, date(2027, 4, 16)).closed_reason == "closed date"


def test_public_holidays_can_be_opened() -> None:
    calendar = noerrebro(public_holidays=False)

    assert is_open(calendar, date(2027, 3, 25))


def test_hours_json_round_trips() -> None:
    calendar = noerrebro()

    assert calendar_hours_to_json(calendar) == NOERREBRO_HOURS


def test_hours_json_windows_are_sorted_by_start() -> None:
    hours = weekly_hours_from_json({"mon": [["13:00", "15:00"], ["09:00", "12:00"]]})

    assert weekly_hours_to_json(hours) == {"mon": [["09:00", "12:00"], ["13:00", "15:00"]]}


def test_hours_json_without_weekdays_means_closed_all_week() -> None:
    hours = weekly_hours_from_json({})

    assert hours == WeeklyHours()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon": [["09:00", "25:00"]]}, "hours.mon[0]: Expected HH:MM, but got '25:00'"),
        ({"mon": [["9:00", "17:00"]]}, "hours.mon[0]: Expected HH:MM, but got '9:00'"),
        ({"mon": [["24:00", "17:00"]]}, "Expected HH:MM, but got '24:00'"),
        ({"mon": [[900, "17:00"]]}, "Expected HH:MM, but got 900"),
        (
            {"tue": [["17:00", "09:00"]]},
            "tue[0]: Expected start before end, but got 17:00-09:00",
        ),
        ({"wed": [["09:00", "09:00"]]}, "Expected start before end, but got 09:00-09:00"),
        ({"thu": [["09:00"]]}, "hours.thu[0]: Expected a pair"),
        ({"fri": ["09:00", "17:00"]}, "hours.fri[0]: Expected a pair"),
        ({"sat": "09:00-13:00"}, "hours.sat: Expected a list of windows, but got '09:00-13:00'"),
        ({"monday": []}, "Expected weekdays mon, tue, wed, thu, fri, sat, sun, but got 'monday'"),
        ([["09:00", "17:00"]], "Expected an object of weekdays"),
        (
            {"mon": [["09:00", "12:00"], ["11:30", "15:00"]]},
            "mon: Expected windows in order without overlap, but got 09:00-12:00 and 11:30-15:00",
        ),
    ],
)
def test_bad_hours_json_is_refused_with_expected_and_actual(hours: object, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        weekly_hours_from_json(hours)

    assert message in error.value.detail


def test_branch_hours_json_names_the_bad_part() -> None:
    with pytest.raises(InvalidInput, match=r"booking\.sat\[0\]: Expected HH:MM, but got '1pm'"):
        calendar_from_json({"booking": {"sat": [["10:00", "1pm"]]}})


def test_branch_hours_json_refuses_unknown_kind() -> None:
    with pytest.raises(InvalidInput, match="Expected dropin and booking, but got 'drop_in'"):
        calendar_from_json({"drop_in": {}})


def test_window_refuses_end_before_start() -> None:
    with pytest.raises(InvalidInput, match="Expected start before end, but got 17:00-09:00"):
        Window(time(17), time(9))
