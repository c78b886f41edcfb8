from skranke.queue.estimates import estimated_wait_minutes, handling_minutes
from skranke.queue.numbering import format_number, spoken_number


def test_estimate_uses_configured_minutes_until_there_is_history() -> None:
    assert handling_minutes([], default=15.0) == 15.0


def test_estimate_learns_from_recent_handling_times() -> None:
    assert handling_minutes([4.0, 6.0, 8.0], default=15.0) == 6.0


def test_a_ticket_left_open_over_lunch_does_not_skew_the_estimate() -> None:
    assert handling_minutes([10.0, 10.0, 240.0], default=10.0) == 10.0


def test_work_ahead_is_shared_by_the_open_counters() -> None:
    assert estimated_wait_minutes(ahead=6, per_ticket_minutes=10.0, open_counters=3) == 20


def test_no_open_counter_is_estimated_as_one() -> None:
    assert estimated_wait_minutes(ahead=2, per_ticket_minutes=7.5, open_counters=0) == 15


def test_ticket_numbers_have_three_digits_and_are_spoken_without_zeros() -> None:
    assert format_number("K", 12) == "K012"
    assert spoken_number("K012") == "K 12"
