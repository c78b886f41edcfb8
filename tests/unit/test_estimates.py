from skranke.queue.estimates import (
    Handling,
    estimated_wait_minutes,
    handling_minutes,
    learn,
    shown,
)
from skranke.queue.numbering import format_number, spoken_number


def test_estimate_uses_configured_minutes_until_there_is_history() -> None:
    assert handling_minutes([], default=15.0) == 15.0


def test_estimate_learns_from_recent_handling_times() -> None:
    assert handling_minutes([4.0, 6.0, 8.0], default=15.0) == 6.0


def test_one_odd_ticket_is_weighed_against_the_configured_time() -> None:
    # A single 30-minute errand on a 10-minute service: not yet "30 minutes each".
    assert handling_minutes([30.0], default=10.0) == (30.0 + 2 * 10.0) / 3


def test_a_ticket_left_open_over_lunch_does_not_skew_the_estimate() -> None:
    assert handling_minutes([10.0, 10.0, 240.0], default=10.0) == 10.0


def test_a_finish_tapped_at_once_does_not_skew_the_estimate_either() -> None:
    assert handling_minutes([12.0, 12.0, 12.0, 0.1], default=10.0) == 12.0


def test_the_spread_of_handling_times_is_learned_too() -> None:
    steady = learn([10.0] * 10, default=10.0)
    uneven = learn([4.0, 16.0] * 5, default=10.0)

    assert steady.minutes == uneven.minutes == 10.0
    assert steady.spread < 0.2 < uneven.spread


def test_a_short_wait_is_one_figure() -> None:
    assert shown(3.2, 0.5, 5.0, someone_ahead=True).range is None
    assert shown(3.2, 0.5, 5.0, someone_ahead=True).minutes == 3


def test_a_long_uncertain_wait_is_a_range_around_the_figure() -> None:
    wait = shown(40.0, 0.5, 10.0, someone_ahead=True)

    assert wait.minutes == 40
    assert wait.range is not None and wait.range[0] < 40 < wait.range[1]


def test_never_zero_while_someone_is_ahead() -> None:
    assert shown(0.2, 0.5, 10.0, someone_ahead=True).minutes == 1
    assert shown(0.0, 0.5, 10.0, someone_ahead=False).minutes == 0


def test_a_handling_time_has_a_default_spread() -> None:
    assert Handling(10.0).spread == 0.5


def test_the_old_estimate_shares_the_work_among_the_open_counters() -> None:
    assert estimated_wait_minutes(ahead=6, per_ticket_minutes=10.0, open_counters=3) == 20


def test_no_open_counter_is_estimated_as_one() -> None:
    assert estimated_wait_minutes(ahead=2, per_ticket_minutes=7.5, open_counters=0) == 15


def test_ticket_numbers_have_three_digits_and_are_spoken_without_zeros() -> None:
    assert format_number("K", 12) == "K012"
    assert spoken_number("K012") == "K 12"
