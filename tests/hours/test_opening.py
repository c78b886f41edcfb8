"""Drop-in open or closed, the next opening and the cut-off, as pure functions (no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skranke.config import Settings
from skranke.queue.errors import InvalidInput
from skranke.queue.opening import (
    Closed,
    DropIn,
    dropin_state,
    next_opening,
    opening_from_json,
    refuse,
    refuse_too_late,
    runs_past_closing,
)
from tests.hours.conftest import HOURS, local

DEMO = opening_from_json(HOURS)


def test_inside_drop_in_hours_is_open_until_closing() -> None:
    state = dropin_state(DEMO, local(2026, 12, 8, 11, 0))
    assert state.state == DropIn.OPEN
    assert state.closes_at == local(2026, 12, 8, 17, 0)
    assert state.changes_at == local(2026, 12, 8, 17, 0)
    refuse(state)  # nothing raised


def test_tuesday_evening_is_closed_and_opens_wednesday_at_ten() -> None:
    state = dropin_state(DEMO, local(2026, 12, 8, 21, 22))
    assert state.state == DropIn.CLOSED
    assert state.opens_at == local(2026, 12, 9, 10, 0)
    with pytest.raises(Closed) as refused:
        refuse(state)
    assert refused.value.extra == {"opens_at": "2026-12-09T10:00:00+01:00"}


def test_before_opening_the_same_day_opens_at_ten_and_closing_time_is_exclusive() -> None:
    assert dropin_state(DEMO, local(2026, 12, 8, 9, 59)).opens_at == local(2026, 12, 8, 10, 0)
    assert dropin_state(DEMO, local(2026, 12, 8, 10, 0)).state == DropIn.OPEN
    assert dropin_state(DEMO, local(2026, 12, 8, 17, 0)).state == DropIn.CLOSED


def test_friday_evening_opens_saturday_and_saturday_afternoon_opens_monday() -> None:
    assert next_opening(DEMO, local(2026, 12, 11, 18, 0)) == local(2026, 12, 12, 10, 0)
    assert next_opening(DEMO, local(2026, 12, 12, 15, 0)) == local(2026, 12, 14, 10, 0)


def test_christmas_eve_and_the_holidays_after_it_are_skipped() -> None:
    # 24 Dec closed every year, 25-26 public holidays, 27 a Sunday.
    assert next_opening(DEMO, local(2026, 12, 23, 18, 0)) == local(2026, 12, 28, 10, 0)
    assert dropin_state(DEMO, local(2026, 12, 24, 11, 0)).state == DropIn.CLOSED


def test_a_closed_date_is_closed_all_day() -> None:
    closed = opening_from_json(HOURS, closed_dates=["2026-12-08"])
    state = dropin_state(closed, local(2026, 12, 8, 12, 0))
    assert state.state == DropIn.CLOSED
    assert state.opens_at == local(2026, 12, 9, 10, 0)


def test_a_special_day_has_its_own_hours_even_on_christmas_eve() -> None:
    special = opening_from_json(
        HOURS,
        special_hours={
            "2026-12-23": {"dropin": [["10:00", "12:00"]], "booking": []},
            "2026-12-24": {"dropin": [["09:00", "11:00"]]},
        },
    )
    assert dropin_state(special, local(2026, 12, 23, 11, 0)).state == DropIn.OPEN
    after_noon = dropin_state(special, local(2026, 12, 23, 12, 30))
    assert after_noon.state == DropIn.CLOSED
    assert after_noon.opens_at == local(2026, 12, 24, 9, 0)


def test_a_closed_date_beats_a_special_day() -> None:
    both = opening_from_json(
        HOURS,
        closed_dates=["2026-12-23"],
        special_hours={"2026-12-23": {"dropin": [["10:00", "12:00"]]}},
    )
    assert dropin_state(both, local(2026, 12, 23, 11, 0)).state == DropIn.CLOSED


def test_the_cut_off_stops_tickets_before_closing() -> None:
    cut = opening_from_json(HOURS, cutoff_minutes=30)
    assert dropin_state(cut, local(2026, 12, 8, 16, 29)).state == DropIn.OPEN
    late = dropin_state(cut, local(2026, 12, 8, 16, 30))
    assert late.state == DropIn.CUTOFF
    assert late.closes_at == local(2026, 12, 8, 17, 0)
    assert late.opens_at == local(2026, 12, 9, 10, 0)
    with pytest.raises(Closed, match="No more walk-in tickets today"):
        refuse(late)


def test_a_wait_past_closing_is_refused_with_the_next_opening() -> None:
    now = local(2026, 12, 8, 16, 40)
    state = dropin_state(DEMO, now)
    assert not runs_past_closing(state, now, 20)
    assert runs_past_closing(state, now, 21)
    refuse_too_late(DEMO, state, now, 20)
    with pytest.raises(Closed) as refused:
        refuse_too_late(DEMO, state, now, 45)
    assert refused.value.reason == DropIn.TOO_LATE
    assert refused.value.opens_at == local(2026, 12, 9, 10, 0)


def test_no_opening_within_sixty_days_says_so() -> None:
    never = opening_from_json({"dropin": {}, "booking": {"mon": [["09:00", "12:00"]]}})
    state = dropin_state(never, local(2026, 12, 8, 11, 0))
    assert state.state == DropIn.CLOSED and state.opens_at is None
    with pytest.raises(Closed) as refused:
        refuse(state)
    assert refused.value.extra == {"opens_at": None}


def test_summer_time_keeps_ten_o_clock_local() -> None:
    # Clocks go forward on Easter Sunday, 28 March 2027; Easter Monday is a public holiday,
    # so drop-in opens on Tuesday 30 March at 10:00 CEST (08:00 UTC).
    opens = next_opening(DEMO, local(2027, 3, 27, 15, 0))
    assert opens == local(2027, 3, 30, 10, 0)
    assert opens is not None and opens.utcoffset() == timedelta(hours=2)


def test_broken_special_hours_are_refused_with_where() -> None:
    with pytest.raises(InvalidInput, match=r"special_hours.2026-12-23"):
        opening_from_json(HOURS, special_hours={"2026-12-23": {"dropin": [["12:00", "10:00"]]}})


def test_the_settings_read_the_cut_off_and_the_switch_from_the_environment() -> None:
    default = Settings.from_env({})
    assert default.kiosk_hours is True and default.ticket_cutoff_minutes == 0
    env = {"SKRANKE_KIOSK_HOURS": "off", "SKRANKE_TICKET_CUTOFF_MINUTES": "20"}
    changed = Settings.from_env(env)
    assert changed.kiosk_hours is False and changed.ticket_cutoff_minutes == 20
