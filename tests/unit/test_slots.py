from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skranke.queue.calendar import (
    COPENHAGEN,
    WEEKDAYS,
    BranchCalendar,
    WeeklyHours,
    Window,
    calendar_from_json,
    day_hours,
)
from skranke.queue.errors import InvalidInput
from skranke.queue.slots import BookableService, Slot, free_slots, nearest_free_slots

WEEKDAY_MORNINGS = [["09:00", "12:00"]]
# Borgerservice Nørrebro takes bookings on weekday mornings only.
NOERREBRO = calendar_from_json({"booking": dict.fromkeys(WEEKDAYS[:5], WEEKDAY_MORNINGS)})
# A branch booking through the night, so DST changes fall inside its hours. 28 March 2027 is
# also Easter Sunday, so public holidays are ignored here.
NIGHT_OWL = calendar_from_json({"booking": {"sun": [["00:00", "06:00"]]}}, public_holidays=False)

PAS = BookableService(slot_minutes=30, capacity=1, advance_days=7)
IT_COURSE = BookableService(slot_minutes=60, capacity=8, advance_days=7)

MONDAY_BEFORE_EASTER = datetime(2027, 3, 22, 7, 0, tzinfo=COPENHAGEN)
TUESDAY = date(2027, 3, 23)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


def starts_on(slots: list[Slot], day: date) -> list[str]:
    return [f"{slot.start:%H:%M}" for slot in slots if slot.start.date() == day]


def test_booking_window_is_cut_into_slots_of_the_service_length() -> None:
    slots = free_slots(NOERREBRO, PAS, {}, MONDAY_BEFORE_EASTER)

    assert starts_on(slots, TUESDAY) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_slot_that_would_end_after_the_window_is_not_offered() -> None:
    forty_minutes = BookableService(slot_minutes=40, advance_days=7)

    slots = free_slots(NOERREBRO, forty_minutes, {}, MONDAY_BEFORE_EASTER)

    assert starts_on(slots, TUESDAY) == ["09:00", "09:40", "10:20", "11:00"]


def test_slot_ends_one_slot_length_after_it_starts() -> None:
    slots = free_slots(NOERREBRO, PAS, {}, MONDAY_BEFORE_EASTER)

    assert slots[0].start == local(date(2027, 3, 22), 9)
    assert slots[0].end == local(date(2027, 3, 22), 9, 30)


def test_juledag_2026_has_no_slots() -> None:
    monday_before_christmas = datetime(2026, 12, 21, 7, 0, tzinfo=COPENHAGEN)

    slots = free_slots(NOERREBRO, PAS, {}, monday_before_christmas)

    assert starts_on(slots, date(2026, 12, 25)) == []
    assert starts_on(slots, date(2026, 12, 23)) != []


def test_christmas_eve_has_no_slots_by_default() -> None:
    monday_before_christmas = datetime(2026, 12, 21, 7, 0, tzinfo=COPENHAGEN)

    slots = free_slots(NOERREBRO, PAS, {}, monday_before_christmas)

    assert starts_on(slots, date(2026, 12, 24)) == []


def test_skaertorsdag_2027_has_no_slots() -> None:
    slots = free_slots(NOERREBRO, PAS, {}, MONDAY_BEFORE_EASTER)

    assert starts_on(slots, date(2027, 3, 25)) == []
    assert starts_on(slots, date(2027, 3, 24)) != []


def test_configured_closed_date_has_no_slots() -> None:
    staff_day = BranchCalendar(
        dropin=NOERREBRO.dropin, booking=NOERREBRO.booking, closed_dates=frozenset({TUESDAY})
    )

    slots = free_slots(staff_day, PAS, {}, MONDAY_BEFORE_EASTER)

    assert starts_on(slots, TUESDAY) == []


def test_slots_already_begun_are_not_offered() -> None:
    ten_past_ten = local(TUESDAY, 10, 10)

    slots = free_slots(NOERREBRO, PAS, {}, ten_past_ten)

    assert starts_on(slots, TUESDAY) == ["10:30", "11:00", "11:30"]


def test_slots_within_the_lead_time_are_not_offered() -> None:
    two_hours_notice = BookableService(slot_minutes=30, lead_minutes=120, advance_days=7)

    slots = free_slots(NOERREBRO, two_hours_notice, {}, local(TUESDAY, 9))

    assert starts_on(slots, TUESDAY) == ["11:00", "11:30"]


def test_advance_window_counts_today_as_the_first_day() -> None:
    three_days = BookableService(slot_minutes=30, advance_days=3)

    slots = free_slots(NOERREBRO, three_days, {}, MONDAY_BEFORE_EASTER)

    assert sorted({slot.start.day for slot in slots}) == [22, 23, 24]


def test_it_course_counts_seats_left() -> None:
    five_signed_up = {local(TUESDAY, 10): 5}

    slots = free_slots(NOERREBRO, IT_COURSE, five_signed_up, MONDAY_BEFORE_EASTER)

    seats = {f"{s.start:%H:%M}": s.seats_left for s in slots if s.start.date() == TUESDAY}
    assert seats == {"09:00": 8, "10:00": 3, "11:00": 8}


def test_fully_booked_slot_is_not_offered() -> None:
    eight_signed_up = {local(TUESDAY, 10): 8}

    slots = free_slots(NOERREBRO, IT_COURSE, eight_signed_up, MONDAY_BEFORE_EASTER)

    assert starts_on(slots, TUESDAY) == ["09:00", "11:00"]


def test_bookings_stored_in_utc_count_against_local_slots() -> None:
    nine_local_in_utc = datetime(2027, 3, 23, 8, 0, tzinfo=UTC)

    slots = free_slots(NOERREBRO, PAS, {nine_local_in_utc: 1}, MONDAY_BEFORE_EASTER)

    assert "09:00" not in starts_on(slots, TUESDAY)


def test_booking_off_the_grid_takes_a_seat_in_every_slot_it_overlaps() -> None:
    # Booked when slots were 30 minutes from 09:15; the grid now starts at 09:00.
    quarter_past_nine = {local(TUESDAY, 9, 15): 1}

    slots = free_slots(NOERREBRO, PAS, quarter_past_nine, MONDAY_BEFORE_EASTER)

    assert starts_on(slots, TUESDAY) == ["10:00", "10:30", "11:00", "11:30"]


def test_nine_oclock_is_seven_utc_in_summer_time_and_eight_in_winter() -> None:
    # 26 and 29 March 2027 are langfredag and 2. påskedag, so compare the Tuesdays around
    # the change to summer time on 28 March.
    two_weeks = BookableService(slot_minutes=30, advance_days=14)

    slots = free_slots(NOERREBRO, two_weeks, {}, MONDAY_BEFORE_EASTER)

    by_local = {slot.start.replace(tzinfo=None): slot.start.astimezone(UTC) for slot in slots}
    assert by_local[datetime(2027, 3, 23, 9)] == datetime(2027, 3, 23, 8, tzinfo=UTC)
    assert by_local[datetime(2027, 3, 30, 9)] == datetime(2027, 3, 30, 7, tzinfo=UTC)


def test_spring_forward_night_does_not_offer_the_missing_hour() -> None:
    hourly = BookableService(slot_minutes=60, advance_days=1)

    slots = free_slots(NIGHT_OWL, hourly, {}, datetime(2027, 3, 27, 23, 0, tzinfo=UTC))

    # 01:00-02:00 would end at a wall time that never happens; 02:00 itself never happens.
    assert [f"{s.start:%H:%M%z}" for s in slots] == [
        "00:00+0100",
        "03:00+0200",
        "04:00+0200",
        "05:00+0200",
    ]


def test_fall_back_night_does_not_offer_the_repeated_hour() -> None:
    hourly = BookableService(slot_minutes=60, advance_days=1)

    slots = free_slots(NIGHT_OWL, hourly, {}, datetime(2027, 10, 30, 22, 0, tzinfo=UTC))

    # 02:00-03:00 happens twice on 31 October 2027; no slot may start or end inside it.
    assert [f"{s.start:%H:%M%z}" for s in slots] == [
        "00:00+0200",
        "03:00+0100",
        "04:00+0100",
        "05:00+0100",
    ]


def test_lead_time_is_elapsed_time_across_the_change_to_summer_time() -> None:
    six_hours_notice = BookableService(slot_minutes=60, lead_minutes=6 * 60, advance_days=2)
    saturday_evening = datetime(2027, 3, 27, 21, 0, tzinfo=COPENHAGEN)  # 20:00 UTC

    slots = free_slots(NIGHT_OWL, six_hours_notice, {}, saturday_evening)

    # Six real hours after 21:00 CET is 04:00 CEST, not 03:00.
    assert f"{slots[0].start:%H:%M}" == "04:00"


def test_naive_now_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Expected an aware datetime for now, but got naive"):
        free_slots(NOERREBRO, PAS, {}, datetime(2027, 3, 22, 7, 0))


def test_naive_booking_start_is_refused() -> None:
    with pytest.raises(InvalidInput, match="aware datetime for a booking start"):
        free_slots(NOERREBRO, PAS, {datetime(2027, 3, 23, 9): 1}, MONDAY_BEFORE_EASTER)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"slot_minutes": 0}, "Expected slot_minutes in 1..1440, but got 0"),
        ({"slot_minutes": 30, "capacity": 0}, "Expected capacity >= 1, but got 0"),
        ({"slot_minutes": 30, "lead_minutes": -5}, "Expected lead_minutes >= 0, but got -5"),
        ({"slot_minutes": 30, "advance_days": 0}, "Expected advance_days >= 1, but got 0"),
    ],
)
def test_service_refuses_impossible_booking_rules(options: dict[str, int], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        BookableService(**options)


def test_nearest_free_slots_surround_the_wanted_time() -> None:
    slots = free_slots(NOERREBRO, PAS, {}, MONDAY_BEFORE_EASTER)

    nearest = nearest_free_slots(slots, local(TUESDAY, 10, 40))

    assert [f"{s.start:%H:%M}" for s in nearest] == ["10:00", "10:30", "11:00"]


def test_nearest_free_slots_prefer_the_earlier_of_two_equally_near() -> None:
    slots = free_slots(NOERREBRO, PAS, {}, MONDAY_BEFORE_EASTER)

    nearest = nearest_free_slots(slots, local(TUESDAY, 10, 15), limit=1)

    assert [f"{s.start:%H:%M}" for s in nearest] == ["10:00"]


def test_nearest_free_slots_reach_into_the_next_day() -> None:
    slots = free_slots(NOERREBRO, PAS, {}, MONDAY_BEFORE_EASTER)

    nearest = nearest_free_slots(slots, local(TUESDAY, 22, 10), limit=2)

    assert [f"{s.start:%d %H:%M}" for s in nearest] == ["23 11:30", "24 09:00"]


# Sorted distinct minutes of the day, paired up into windows.
day_windows = st.lists(st.integers(0, 23 * 60 + 59), unique=True, max_size=4).map(
    lambda minutes: tuple(
        Window(time(*divmod(a, 60)), time(*divmod(b, 60)))
        for a, b in zip(sorted(minutes)[::2], sorted(minutes)[1::2], strict=False)
    )
)
calendars = st.builds(
    BranchCalendar,
    dropin=st.just(WeeklyHours()),
    booking=st.tuples(*[day_windows] * 7).map(WeeklyHours),
    closed_dates=st.frozensets(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=5),
    public_holidays=st.booleans(),
)
services = st.builds(
    BookableService,
    slot_minutes=st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90]),
    capacity=st.integers(1, 8),
    lead_minutes=st.integers(0, 3 * 24 * 60),
    advance_days=st.integers(1, 21),
)
moments = st.one_of(
    # Near the DST changes of 2027, and anywhere else.
    st.datetimes(datetime(2027, 3, 20), datetime(2027, 3, 29)),
    st.datetimes(datetime(2027, 10, 23), datetime(2027, 11, 1)),
    st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31)),
).map(lambda moment: moment.replace(tzinfo=UTC))


@settings(max_examples=150, deadline=None, database=None)
@given(calendar=calendars, service=services, now=moments, data=st.data())
def test_every_offered_slot_is_open_bookable_in_time_and_has_a_seat(
    calendar: BranchCalendar, service: BookableService, now: datetime, data: st.DataObject
) -> None:
    everything = free_slots(calendar, service, {}, now)
    taken = (
        {
            slot.start.astimezone(UTC): data.draw(st.integers(1, service.capacity))
            for slot in data.draw(st.lists(st.sampled_from(everything), max_size=20))
        }
        if everything
        else {}
    )

    slots = free_slots(calendar, service, taken, now)

    length = timedelta(minutes=service.slot_minutes)
    earliest = now + timedelta(minutes=service.lead_minutes)
    beyond = now.astimezone(COPENHAGEN).date() + timedelta(days=service.advance_days)
    for slot in slots:
        hours = day_hours(calendar, slot.start.date())
        assert earliest <= slot.start
        assert slot.start.date() < beyond
        assert hours.closed_reason is None
        assert any(w.start <= slot.start.time() and slot.end.time() <= w.end for w in hours.booking)
        assert slot.start.astimezone(UTC) + length == slot.end.astimezone(UTC)
        assert slot.start.replace(fold=1).utcoffset() == slot.start.utcoffset()
        assert slot.seats_left == service.capacity - taken.get(slot.start, 0) > 0
    instants = [slot.start.astimezone(UTC) for slot in slots]
    assert instants == sorted(set(instants))
    assert len(slots) == sum(taken.get(s.start, 0) < service.capacity for s in everything)
