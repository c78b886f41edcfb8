from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

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


def due(c: Candidate) -> bool:
    return c.booking_start is not None and c.booking_start - NOW <= POLICY.booking_window


def walk_in(c: Candidate) -> bool:
    return c.booking_start is None and not c.transferred and c.target_counter_id is None


def may_serve(counter: CounterProfile, c: Candidate, queue: list[Candidate]) -> bool:
    """DESIGN §4: a ticket sent to a counter goes only there; otherwise the counter's own
    services, and simple errands of the other area once someone there waited too long."""
    if c.target_counter_id is not None:
        return c.target_counter_id == counter.counter_id
    longest = max(NOW - o.issued_at for o in queue if o.area == c.area)
    overflowing = longest > POLICY.overflow_threshold
    return c.service_id in counter.priorities or (
        c.simple and c.area != counter.area and overflowing
    )


# What each field of a candidate may be; `candidate` narrows some of them.
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "ticket_id": st.integers(1, 10_000),
    "service_id": st.sampled_from([PAS, FLYTNING, LAAN, PRINT]),
    "area": st.sampled_from([B, L]),
    # A few minutes into the future too: clocks of two servers disagree a little.
    "issued_at": st.integers(-3, 180).map(lambda m: NOW - timedelta(minutes=m)),
    "simple": st.booleans(),
    "booking_start": st.none() | st.integers(-30, 60).map(lambda m: NOW + timedelta(minutes=m)),
    "transferred": st.booleans(),
    "target_counter_id": st.none() | st.sampled_from([1, 2]),
}


def candidate(**narrowed: st.SearchStrategy[Any]) -> st.SearchStrategy[Candidate]:
    return st.builds(Candidate, **{**FIELDS, **narrowed})


def queues(of: st.SearchStrategy[Candidate]) -> st.SearchStrategy[list[Candidate]]:
    return st.lists(of, max_size=30, unique_by=lambda c: c.ticket_id)


counters = st.builds(
    CounterProfile,
    counter_id=st.sampled_from([1, 2]),
    area=st.sampled_from([B, L]),
    priorities=st.dictionaries(
        st.sampled_from([PAS, FLYTNING, LAAN, PRINT]), st.floats(0.5, 4.0), max_size=4
    ),
)
walk_ins = candidate(
    booking_start=st.none(), transferred=st.just(False), target_counter_id=st.none()
)
due_bookings = candidate(
    booking_start=st.integers(-30, 5).map(lambda m: NOW + timedelta(minutes=m)),
    transferred=st.just(False),
    target_counter_id=st.none(),
)


@settings(max_examples=300, deadline=None)
@given(counters, queues(candidate()))
def test_something_is_chosen_exactly_when_the_counter_may_serve_someone(
    counter: CounterProfile, queue: list[Candidate]
) -> None:
    eligible = [c for c in queue if may_serve(counter, c, queue)]

    chosen = choose_next(counter, queue, NOW, POLICY)

    assert (chosen is None) == (eligible == [])
    assert chosen is None or chosen in eligible


@settings(max_examples=300, deadline=None)
@given(counters, queues(candidate()), st.lists(due_bookings, min_size=1, max_size=3), st.data())
def test_a_booking_due_now_beats_every_walk_in_and_the_earliest_booking_goes_first(
    counter: CounterProfile, others: list[Candidate], booked: list[Candidate], data: st.DataObject
) -> None:
    own = data.draw(st.sampled_from(sorted(counter.priorities) or [PAS]))
    counter = replace(counter, priorities={own: 1.0, **counter.priorities})
    booked = [replace(c, ticket_id=20_000 + i, service_id=own) for i, c in enumerate(booked)]
    queue = others + booked
    earliest = min(c.booking_start for c in queue if due(c) and may_serve(counter, c, queue))

    chosen = choose_next(counter, queue, NOW, POLICY)

    assert chosen is not None and due(chosen)
    assert chosen.booking_start == earliest


@settings(max_examples=300, deadline=None)
@given(queues(walk_ins).filter(len), st.floats(0.5, 4.0))
def test_with_equal_weights_the_longest_waiting_walk_in_is_called(
    queue: list[Candidate], weight: float
) -> None:
    counter = CounterProfile(1, B, {s: weight for s in (PAS, FLYTNING, LAAN, PRINT)})

    chosen = choose_next(counter, queue, NOW, POLICY)

    assert chosen is not None
    assert (chosen.issued_at, chosen.ticket_id) == min((c.issued_at, c.ticket_id) for c in queue)


@settings(max_examples=300, deadline=None)
@given(counters, queues(candidate()))
def test_only_the_oldest_walk_in_of_each_service_matters(
    counter: CounterProfile, queue: list[Candidate]
) -> None:
    """What lets the store read just the head of each service (`store.tickets.candidates`)."""
    # Area and "simple" belong to the service, as in the database: one per service here too.
    facts: dict[int, tuple[Area, bool]] = {}
    for c in queue:
        facts.setdefault(c.service_id, (c.area, c.simple))
    queue = [replace(c, area=facts[c.service_id][0], simple=facts[c.service_id][1]) for c in queue]
    heads = {}
    for c in sorted((c for c in queue if walk_in(c)), key=lambda c: (c.issued_at, c.ticket_id)):
        heads.setdefault(c.service_id, c)
    fewer = [c for c in queue if not walk_in(c) or heads[c.service_id] is c]

    assert choose_next(counter, fewer, NOW, POLICY) == choose_next(counter, queue, NOW, POLICY)


@settings(max_examples=300, deadline=None)
@given(counters, queues(candidate(booking_start=st.none())), st.data())
def test_without_a_booking_due_a_ticket_sent_to_this_counter_goes_first(
    counter: CounterProfile, others: list[Candidate], data: st.DataObject
) -> None:
    sent = data.draw(
        candidate(booking_start=st.none(), transferred=st.just(True), target_counter_id=st.just(1))
    )
    counter = replace(counter, counter_id=1)
    queue = [c for c in others if c.ticket_id != sent.ticket_id] + [sent]

    chosen = choose_next(counter, queue, NOW, POLICY)

    assert chosen is not None and chosen.target_counter_id == 1


def test_call_order_is_the_order_call_next_would_take() -> None:
    from skranke.queue.routing import call_order

    booked = ticket(7, PAS, 1, booking_start=NOW + timedelta(minutes=2))
    moved = ticket(8, FLYTNING, 2, transferred=True)
    elsewhere = ticket(9, PAS, 50, target_counter_id=2)
    library = ticket(10, LAAN, 60, area=L)
    queue = [
        ticket(1, PAS, 30),
        ticket(2, PAS, 20),
        ticket(3, FLYTNING, 25),
        booked,
        moved,
        elsewhere,
        library,
    ]

    order = call_order(BORGERSERVICE_COUNTER, queue, NOW, POLICY, limit=10)

    # The booking due now, then the transfer, then the plain queue by wait; never a ticket sent
    # to another counter or one of an errand this counter does not serve.
    assert [c.ticket_id for c in order] == [7, 8, 1, 3, 2]
    # Repeating choose_next on what is left gives the same order, one by one.
    left = list(queue)
    for expected in order:
        chosen = choose_next(BORGERSERVICE_COUNTER, left, NOW, POLICY)
        assert chosen == expected
        left.remove(expected)
    assert [c.ticket_id for c in call_order(BORGERSERVICE_COUNTER, queue, NOW, POLICY, 2)] == [7, 8]
