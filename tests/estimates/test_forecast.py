"""The estimator on hand-made rooms (issue 14's acceptance list), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skranke.queue.estimates import Handling
from skranke.queue.forecast import CounterNow, Room, run
from skranke.queue.routing import Candidate, CounterProfile, RoutingPolicy
from skranke.queue.states import Area

B, L = Area.BORGERSERVICE, Area.LIBRARY
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
MITID, FLYT, LAAN = 1, 2, 3
# Steady errands (no spread): a citizen called k minutes ago needs exactly 10 - k more. How
# an uneven errand's time left is judged is tested in test_handling.py.
TEN = {MITID: Handling(10.0, 0.0), FLYT: Handling(10.0, 0.0), LAAN: Handling(5.0, 0.0)}


def counter(cid: int, area: Area, *services: int, busy: float | None = None) -> CounterNow:
    """A counter serving `services` at weight 1; `busy`: minutes its citizen still needs."""
    profile = CounterProfile(cid, area, dict.fromkeys(services, 1.0))
    if busy is None:
        return CounterNow(profile)
    # Called `10 - busy` minutes ago on a 10-minute errand: `busy` minutes left.
    return CounterNow(profile, MITID, NOW - (10 - busy) * MIN)


def ticket(tid: int, service: int, waited: float, area: Area = B, **kw: object) -> Candidate:
    return Candidate(tid, service, area, NOW - waited * MIN, **kw)  # type: ignore[arg-type]


def minutes_of(room: Room, ticket_id: int) -> int | None:
    wait = run(room).wait(ticket_id, 0, NOW)
    return None if wait is None else wait.minutes


def new_minutes(room: Room, service: int) -> int | None:
    wait = run(room).new_wait(service, NOW)
    return None if wait is None else wait.minutes


def test_two_counters_sharing_two_services_one_busy_ten_more_minutes() -> None:
    # Counter 1 is free, counter 2 has a citizen for ten more minutes. Three wait ahead:
    # the old estimate (3 x 10 / 2 counters = 15) forgot that counter 2 is busy.
    room = Room(
        NOW,
        [counter(1, B, MITID, FLYT), counter(2, B, MITID, FLYT, busy=10)],
        [ticket(11, MITID, 6), ticket(12, FLYT, 5), ticket(13, MITID, 4)],
        TEN,
        new_tickets={MITID: (B, False)},
    )

    forecast = run(room)

    # 11 goes now to counter 1; 12 at 10 (both counters free then); 13 at 10 too; the new
    # ticket when the first of them is done, at 20.
    assert [forecast.calls[t] - NOW for t in (11, 12, 13)] == [0 * MIN, 10 * MIN, 10 * MIN]
    assert new_minutes(room, MITID) == 20


def test_a_paused_counter_takes_nobody() -> None:
    # Paused and closed counters are left out of the room; only counter 1 works.
    working = Room(
        NOW, [counter(1, B, MITID)], [ticket(11, MITID, 3)], TEN, new_tickets={MITID: (B, False)}
    )
    both = Room(
        NOW,
        [counter(1, B, MITID), counter(2, B, MITID)],
        [ticket(11, MITID, 3)],
        TEN,
        new_tickets={MITID: (B, False)},
    )

    assert new_minutes(working, MITID) == 10
    assert new_minutes(both, MITID) == 0


def test_a_checked_in_booking_due_in_three_minutes_goes_first() -> None:
    booked = ticket(20, MITID, 1, booking_start=NOW + 3 * MIN)
    room = Room(
        NOW,
        [counter(1, B, MITID, busy=3)],
        [ticket(11, MITID, 8), booked],
        TEN,
    )

    forecast = run(room)

    # The counter frees in 3 minutes, at the booked time: the booking goes first.
    assert forecast.calls[20] - NOW == 3 * MIN
    assert forecast.calls[11] - NOW == 13 * MIN


def test_a_booking_far_ahead_waits_for_its_time() -> None:
    booked = ticket(20, MITID, 1, booking_start=NOW + 30 * MIN)
    room = Room(NOW, [counter(1, B, MITID)], [ticket(11, MITID, 8), booked], TEN)

    forecast = run(room)

    assert forecast.calls[11] == NOW
    # Nobody else waits after 11, so the early booking is called when the counter frees.
    assert forecast.calls[20] - NOW == 10 * MIN


def test_overflow_past_the_threshold_lets_the_library_help() -> None:
    policy = RoutingPolicy(overflow_threshold=timedelta(minutes=20))
    # Borgerservice's only counter is busy for 30 more minutes; a library counter is free.
    room = Room(
        NOW,
        [counter(1, B, FLYT, busy=30), counter(3, L, LAAN)],
        [ticket(11, FLYT, 5, simple=True)],
        {**TEN, MITID: Handling(40.0)},
        policy=policy,
    )

    forecast = run(room)

    # Waiting 5 minutes now, the errand overflows once it has waited 20: in 15 minutes.
    called = forecast.calls[11] - NOW
    assert 15 * MIN <= called <= 16 * MIN


def test_a_transferred_ticket_goes_before_the_walk_ins() -> None:
    moved = ticket(30, FLYT, 2, transferred=True)
    room = Room(
        NOW,
        [counter(1, B, MITID, FLYT)],
        [ticket(11, FLYT, 9), ticket(12, FLYT, 8), moved],
        TEN,
    )

    forecast = run(room)

    assert forecast.calls[30] == NOW
    assert forecast.calls[11] - NOW == 10 * MIN


def test_a_ticket_for_a_counter_waits_for_that_counter() -> None:
    sent = ticket(30, FLYT, 1, target_counter_id=2)
    room = Room(
        NOW,
        [counter(1, B, FLYT), counter(2, B, FLYT, busy=7)],
        [sent],
        TEN,
    )

    assert minutes_of(room, 30) == 7


def test_never_zero_while_every_counter_is_busy() -> None:
    # Nobody waits, but the one counter's citizen has already taken longer than usual:
    # still not "0 min", and some of an errand is expected to remain.
    room = Room(NOW, [counter(1, B, MITID, busy=-5)], [], TEN, new_tickets={MITID: (B, False)})

    assert new_minutes(room, MITID) == 1


def test_zero_only_when_a_counter_is_free_and_nobody_is_ahead() -> None:
    room = Room(NOW, [counter(1, B, MITID)], [], TEN, new_tickets={MITID: (B, False)})

    assert new_minutes(room, MITID) == 0


def test_no_open_counter_for_the_service_gives_no_forecast() -> None:
    room = Room(
        NOW, [counter(3, L, LAAN)], [ticket(11, MITID, 2)], TEN, new_tickets={MITID: (B, False)}
    )

    forecast = run(room)

    assert 11 not in forecast.calls and forecast.new_wait(MITID, NOW) is None


def test_expected_arrivals_that_go_first_delay_the_wait() -> None:
    # A booking checking in in 4 minutes, due in 6, goes before the new walk-in.
    base = Room(NOW, [counter(1, B, MITID, busy=5)], [], TEN, new_tickets={MITID: (B, False)})
    coming = Candidate(-10_000_000, MITID, B, NOW + 4 * MIN, booking_start=NOW + 6 * MIN)
    with_booking = Room(
        base.now, base.counters, [], TEN, new_tickets=base.new_tickets, arrivals=[coming]
    )

    assert new_minutes(base, MITID) == 5
    assert new_minutes(with_booking, MITID) == 15


def test_a_long_wait_is_shown_as_a_range_around_the_figure() -> None:
    room = Room(
        NOW,
        [counter(1, B, MITID)],
        [ticket(i, MITID, 30 - i) for i in range(1, 7)],
        {MITID: Handling(10.0, spread=0.5)},
        new_tickets={MITID: (B, False)},
    )

    wait = run(room).new_wait(MITID, NOW)

    assert wait is not None and wait.minutes == 60
    assert wait.range is not None and wait.range[0] < 60 < wait.range[1]


def test_two_hundred_waiting_at_eight_counters_are_all_placed() -> None:
    services = list(range(1, 11))
    counters = [
        counter(c, B if c <= 4 else L, *services[(c % 7) : (c % 7) + 4], busy=c % 3 * 2.0)
        for c in range(1, 9)
    ]
    waiting = [ticket(i, services[i % 10], 60 - i * 0.3) for i in range(200)]
    handling = {s: Handling(5.0 + s) for s in services}
    room = Room(NOW, counters, waiting, handling, new_tickets={s: (B, False) for s in services})

    forecast = run(room)

    assert len(forecast.calls) == 200 and len(forecast.new_calls) == 10
    # Each ticket of a service is called no earlier than the one before it.
    for s in services:
        mine = [forecast.calls[i] for i in range(200) if services[i % 10] == s]
        assert mine == sorted(mine)
