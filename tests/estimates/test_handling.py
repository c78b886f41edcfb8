"""How long the counters are expected to be held: the time left of an errand under way, the
branch's pace, and the hour of the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Connection

from skranke.queue import waits
from skranke.queue.calling import call_next
from skranke.queue.estimates import HOUR_MIN, Handling, hour_factor, learn, learn_branch
from skranke.queue.forecast import CounterNow, Room, remaining_seconds, run
from skranke.queue.routing import Candidate, CounterProfile
from skranke.queue.states import Area
from skranke.queue.tickets import act, issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store.engine import Database

B = Area.BORGERSERVICE
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
MITID, FLYT = 1, 2
CPH = ZoneInfo("Europe/Copenhagen")


def busy_room(handling: Handling, called_minutes_ago: float) -> Room:
    counter = CounterNow(CounterProfile(1, B, {MITID: 1.0}), MITID, NOW - called_minutes_ago * MIN)
    waiting = [Candidate(11, MITID, B, NOW - 5 * MIN)]
    return Room(NOW, [counter], waiting, {MITID: handling})


def called_in(room: Room) -> float:
    return (run(room).calls[11] - NOW).total_seconds() / 60


def test_an_uneven_errand_twenty_minutes_in_is_expected_to_run_on() -> None:
    # A 15-minute errand on average, but uneven (spread 0.8): one already 20 minutes at the
    # counter is one of the long ones, and half of those need over six minutes more, where
    # "mean minus elapsed" says it is over (and the old floor gave 1.5 minutes).
    uneven = called_in(busy_room(Handling(15.0, 0.8), called_minutes_ago=20))

    assert 6 < uneven < 12


def test_a_steady_errand_is_expected_to_end_near_its_usual_time() -> None:
    # The same errand with almost no spread, ten minutes in: about five minutes left.
    steady = called_in(busy_room(Handling(15.0, 0.05), called_minutes_ago=10))

    assert 4.5 < steady < 5.5


def test_the_time_left_grows_with_the_spread() -> None:
    left = [remaining_seconds(900.0, spread, 1200.0) / 60 for spread in (0.2, 0.5, 0.8, 1.2)]

    assert left == sorted(left) and left[0] < 3 < left[-1]


def test_a_citizen_just_called_is_expected_for_the_median_errand() -> None:
    # Half of the errands with mean 10 and spread 0.5 take under 8.9 minutes.
    assert remaining_seconds(600.0, 0.5, 0.0) / 60 == pytest.approx(8.94, abs=0.01)


def test_a_slow_day_for_one_errand_slows_an_errand_with_no_times_yet() -> None:
    # Twenty MitID errands took 15 minutes instead of the configured 10; Flytning has no times
    # yet. The branch is at half again its configured pace, so Flytning is expected slower
    # than configured too, where learning each service alone keeps it at 10.
    learned = learn_branch({MITID: [15.0] * 20, FLYT: []}, {MITID: 10.0, FLYT: 10.0})

    assert learn([], 10.0).minutes == 10.0
    assert learned[FLYT].minutes == pytest.approx(15.0)
    assert learned[MITID].minutes == pytest.approx(15.0)


def test_a_service_slower_than_the_branch_keeps_its_own_pace() -> None:
    # MitID takes twice its configured time, Flytning exactly its own: MitID's twenty times
    # count for more than the branch's pace (4/3) applied to it.
    learned = learn_branch({MITID: [20.0] * 20, FLYT: [10.0] * 20}, {MITID: 10.0, FLYT: 10.0})

    assert 17.5 < learned[MITID].minutes < 20.0
    assert 10.0 < learned[FLYT].minutes < 12.0


def test_one_odd_errand_does_not_set_the_spread() -> None:
    # Five times of one service that happen to be alike, on a branch whose errands vary.
    learned = learn_branch(
        {MITID: [10.0, 10.2, 9.8, 10.1, 9.9], FLYT: [4.0, 16.0, 6.0, 14.0, 5.0, 15.0] * 4},
        {MITID: 10.0, FLYT: 10.0},
    )

    assert learned[MITID].spread > 0.15


def test_an_hour_gets_its_own_pace_only_with_enough_tickets() -> None:
    slow_mornings = [20.0] * HOUR_MIN
    every_hour = slow_mornings + [10.0] * (3 * HOUR_MIN)

    assert hour_factor(slow_mornings[:-1], every_hour) == 1.0
    assert hour_factor(slow_mornings, every_hour) > 1.3


def test_the_hour_factor_scales_the_learned_time() -> None:
    recent = {MITID: [10.0] * 20}

    plain = learn_branch(recent, {MITID: 10.0})
    mornings = learn_branch(recent, {MITID: 10.0}, {MITID: 1.5})

    assert mornings[MITID].minutes == pytest.approx(1.5 * plain[MITID].minutes)


async def _day_of_errands(db: Database, day: datetime) -> None:
    """Two MitID errands of 20 minutes called in the ten o'clock hour, two of 10 at two."""
    policy = QueuePolicy()
    for hour, minutes in ((10, 20), (14, 10)):
        for counter, start in ((1, 5), (2, 30)):
            at = datetime.combine(day.date(), datetime.min.time(), CPH).replace(
                hour=hour, minute=start
            )
            info = await db.write(issue_ticket, "lilleby", "mitid", at - MIN, policy)
            await db.write(call_next, counter, at, policy)
            await db.write(act, info.id, "finish", at + minutes * MIN, policy)


def mitid_minutes(conn: Connection, at: datetime) -> float:
    return waits.room(conn, 1, at, QueuePolicy()).handling[MITID].minutes


@pytest.mark.anyio
async def test_slow_mornings_are_expected_in_the_morning_only(db: Database) -> None:
    # Sixteen days of history: morning errands take twice the afternoon ones.
    first = datetime(2026, 11, 2, tzinfo=CPH)
    for d in range(16):
        await _day_of_errands(db, first + timedelta(days=d))

    morning, noon, afternoon = [
        await db.read(mitid_minutes, datetime(2026, 11, 20, hour, 30, tzinfo=CPH))
        for hour in (10, 12, 14)
    ]

    # 32 tickets in each of the two hours: enough for their own pace. At noon no hour has
    # data of its own: the service's recent times alone (alternating 10 and 20 minutes).
    assert morning > noon + 2 > afternoon + 4
    assert 13 < noon < 17
