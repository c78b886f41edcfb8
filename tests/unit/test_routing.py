from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from skranke.queue.routing import Candidate, CounterProfile, RoutingPolicy, choose_next
from skranke.queue.states import Area

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
POLICY = RoutingPolicy(
    booking_window=timedelta(minutes=5), overflow_threshold=timedelta(minutes=20)
)
B, L = Area.BORGERSERVICE, Area.LIBRARY
PAS, FLYTNING, LAAN, PRINT = 1, 2, 3, 4
BORGERSERVICE_COUNTER = CounterProfile(1, B, {PAS: 1.0, FLYTNING: 1.0})
LIBRARY_COUNTER = CounterProfile(3, L, {LAAN: 1.0, PRINT: 1.0})


def ticket(tid: int, service: int, waited: int, area: Area = B, **kw: object) -> Candidate:
    return Candidate(tid, service, area, NOW - timedelta(minutes=waited), **kw)  # type: ignore[arg-type]


def test_equal_weights_call_the_longest_waiting_first() -> None:
    queue = [ticket(1, PAS, 5), ticket(2, FLYTNING, 12), ticket(3, PAS, 8)]

    chosen = choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY)

    assert chosen is not None and chosen.ticket_id == 2


def test_checked_in_booking_due_now_goes_before_longer_waits() -> None:
    booked = ticket(7, PAS, 1, booking_start=NOW + timedelta(minutes=3))
    queue = [ticket(1, FLYTNING, 40), booked]

    chosen = choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY)

    assert chosen == booked


def test_booking_checked_in_far_too_early_waits_for_its_time() -> None:
    early = ticket(7, PAS, 1, booking_start=NOW + timedelta(minutes=45))
    queue = [early, ticket(1, FLYTNING, 2)]

    chosen = choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY)

    assert chosen is not None and chosen.ticket_id == 1


def test_transferred_ticket_goes_before_plain_queue() -> None:
    moved = ticket(9, FLYTNING, 3, transferred=True)
    queue = [ticket(1, PAS, 30), moved]

    assert choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY) == moved


def test_ticket_sent_to_another_counter_is_never_taken() -> None:
    queue = [ticket(9, FLYTNING, 30, transferred=True, target_counter_id=2)]

    assert choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY) is None


def test_priority_weight_lets_a_shorter_wait_win() -> None:
    counter = CounterProfile(1, B, {PAS: 3.0, FLYTNING: 1.0})
    queue = [ticket(1, FLYTNING, 20), ticket(2, PAS, 10)]

    chosen = choose_next(counter, queue, NOW, POLICY)

    assert chosen is not None and chosen.ticket_id == 2


def test_library_counter_helps_borgerservice_when_its_wait_passes_threshold() -> None:
    queue = [ticket(1, FLYTNING, 25, simple=True), ticket(2, LAAN, 2, area=L)]

    chosen = choose_next(LIBRARY_COUNTER, queue, NOW, POLICY)

    assert chosen is not None and chosen.ticket_id == 1


def test_no_overflow_below_threshold() -> None:
    queue = [ticket(1, FLYTNING, 15, simple=True)]

    assert choose_next(LIBRARY_COUNTER, queue, NOW, POLICY) is None


def test_no_overflow_for_errands_that_are_not_simple() -> None:
    queue = [ticket(1, PAS, 60, simple=False)]

    assert choose_next(LIBRARY_COUNTER, queue, NOW, POLICY) is None


candidates = st.lists(
    st.builds(
        Candidate,
        ticket_id=st.integers(1, 10_000),
        service_id=st.sampled_from([PAS, FLYTNING, LAAN, PRINT]),
        area=st.sampled_from([B, L]),
        issued_at=st.integers(0, 180).map(lambda m: NOW - timedelta(minutes=m)),
        simple=st.booleans(),
        booking_start=st.none() | st.integers(-30, 60).map(lambda m: NOW + timedelta(minutes=m)),
        transferred=st.booleans(),
        target_counter_id=st.none() | st.sampled_from([1, 2]),
    ),
    max_size=30,
    unique_by=lambda c: c.ticket_id,
)


@settings(max_examples=300, deadline=None)
@given(candidates)
def test_chosen_ticket_is_one_the_counter_may_serve(queue: list[Candidate]) -> None:
    chosen = choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY)

    if chosen is not None:
        assert chosen in queue
        assert chosen.target_counter_id in (None, 1)


@settings(max_examples=300, deadline=None)
@given(candidates)
def test_choice_matches_a_plain_sort_by_tier_then_score(queue: list[Candidate]) -> None:
    waits: dict[Area, timedelta] = {}
    for c in queue:
        waits[c.area] = max(waits.get(c.area, timedelta.min), NOW - c.issued_at)

    def weight(c: Candidate) -> float | None:
        if c.target_counter_id is not None:
            return 1.0 if c.target_counter_id == 1 else None
        if c.service_id in BORGERSERVICE_COUNTER.priorities:
            return BORGERSERVICE_COUNTER.priorities[c.service_id]
        if c.simple and c.area != B and waits[c.area] > POLICY.overflow_threshold:
            return 1.0
        return None

    def tier(c: Candidate) -> int:
        if c.booking_start is not None:
            return 0 if c.booking_start - NOW <= POLICY.booking_window else 4
        return 1 if c.target_counter_id is not None else 2 if c.transferred else 3

    eligible = [c for c in queue if weight(c) is not None]

    chosen = choose_next(BORGERSERVICE_COUNTER, queue, NOW, POLICY)

    if not eligible:
        assert chosen is None
        return
    assert chosen is not None
    best_tier = min(tier(c) for c in eligible)
    assert tier(chosen) == best_tier
    if best_tier == 3:
        score = {
            c.ticket_id: (NOW - c.issued_at).total_seconds() * (weight(c) or 0) for c in eligible
        }
        assert score[chosen.ticket_id] == max(score[c.ticket_id] for c in eligible if tier(c) == 3)
