"""Reads behind the wait forecast (`skranke.queue.waits`): the room as it is, and its history.

Each returns plain values or rows; none writes.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from skranke.queue.states import BookingState, TicketState
from skranke.store import memo
from skranke.store.prepared import Record
from skranke.store.tables import (
    booking_t,
    branch_t,
    counter_service_t,
    counter_t,
    event_t,
    service_t,
    ticket_t,
)

WAITING = TicketState.WAITING.value
# A counter is held from the call to the finish, and a no-show holds it until marked.
HELD_STATES = (TicketState.DONE.value, TicketState.NO_SHOW.value)
_current = ticket_t.alias("current")


# Engine -> the engine whose key it shares: SQLite's reader and writer are two engines on one
# database, and a forecast built on a reader serves the writer's tickets too.
_same_database: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def database_key(conn: Connection) -> Hashable:
    """Which database `conn` is on, for caches kept in the process: its engine (hashed by
    identity, cheap on the ticket path; a cache holding it keeps it from being reused)."""
    engine = conn.engine
    return _same_database.get(engine, engine)


def share_key(engine: Engine, *others: Engine) -> None:
    """`others` are engines on the same database as `engine`: caches key them alike."""
    for other in others:
        _same_database[other] = engine


def newest_ticket_id(conn: Connection) -> int:
    """The highest ticket id so far (any branch): later tickets have higher ids."""
    found = conn.execute(sa.select(sa.func.max(ticket_t.c.id))).scalar()
    return int(found or 0)


def last_change(conn: Connection, branch_id: int) -> tuple[int, datetime | None]:
    """(seq, at) of the branch's newest event: every change to its queue or counters makes one."""
    found = conn.execute(
        sa.select(event_t.c.seq, event_t.c.at)
        .where(event_t.c.branch_id == branch_id)
        .order_by(event_t.c.seq.desc())
        .limit(1)
    ).first()
    return (0, None) if found is None else (int(found.seq), found.at)


def services(conn: Connection, branch_id: int) -> list[Record]:
    """id, key, area, simple, walk_in, expected_minutes of the branch's active services."""
    return list(
        conn.execute(
            sa.select(
                service_t.c.id,
                service_t.c.key,
                service_t.c.area,
                service_t.c.simple,
                service_t.c.walk_in,
                service_t.c.expected_minutes,
            ).where(service_t.c.branch_id == branch_id, service_t.c.active.is_(True))
        )
    )


def counters(conn: Connection, branch_id: int) -> list[Record]:
    """Active counters: id, area, state, and the service and call time of the held ticket."""
    return list(
        conn.execute(
            sa.select(
                counter_t.c.id,
                counter_t.c.area,
                counter_t.c.state,
                _current.c.service_id.label("busy_service_id"),
                _current.c.called_at.label("busy_since"),
            )
            .outerjoin(_current, _current.c.id == counter_t.c.current_ticket_id)
            .where(counter_t.c.branch_id == branch_id, counter_t.c.active.is_(True))
            .order_by(counter_t.c.number)
        )
    )


def weights(conn: Connection, branch_id: int) -> dict[int, dict[int, float]]:
    """counter id -> service id -> weight, for the branch's counters."""
    rows = conn.execute(
        sa.select(
            counter_service_t.c.counter_id,
            counter_service_t.c.service_id,
            counter_service_t.c.priority,
        )
        .join(counter_t, counter_t.c.id == counter_service_t.c.counter_id)
        .where(counter_t.c.branch_id == branch_id)
    )
    found: dict[int, dict[int, float]] = {}
    for counter_id, service_id, weight in rows:
        found.setdefault(counter_id, {})[service_id] = weight
    return found


def waiting(conn: Connection, branch_id: int) -> list[Record]:
    """Every waiting ticket of the branch, with what routing needs to place it."""
    return list(
        conn.execute(
            sa.select(
                ticket_t.c.id,
                ticket_t.c.service_id,
                ticket_t.c.issued_at,
                ticket_t.c.booking_start,
                ticket_t.c.transferred_from_id,
                ticket_t.c.target_counter_id,
            ).where(ticket_t.c.branch_id == branch_id, ticket_t.c.state == WAITING)
        )
    )


def held_minutes(
    conn: Connection,
    service_ids: Sequence[int],
    history: int,
    *,
    start: str = "called_at",
    states: Sequence[str] = HELD_STATES,
) -> dict[int, list[float]]:
    """Minutes from `start` (call, or "served_at" for the old estimator's counter time) to
    finish of each service's last `history` tickets in `states`."""
    begun = ticket_t.c[start]
    recent = (
        sa.select(
            ticket_t.c.service_id,
            begun.label("begun"),
            ticket_t.c.finished_at,
            sa.func.row_number()
            .over(partition_by=ticket_t.c.service_id, order_by=ticket_t.c.finished_at.desc())
            .label("rn"),
        )
        .where(
            ticket_t.c.service_id.in_(list(service_ids)),
            ticket_t.c.state.in_(list(states)),
            begun.is_not(None),
            ticket_t.c.finished_at.is_not(None),
        )
        .subquery()
    )
    rows = conn.execute(
        sa.select(recent.c.service_id, recent.c.begun, recent.c.finished_at).where(
            recent.c.rn <= history
        )
    )
    durations: dict[int, list[float]] = {sid: [] for sid in service_ids}
    for sid, begun_at, finished in rows:
        durations[sid].append((finished - begun_at).total_seconds() / 60.0)
    return durations


def arrivals(conn: Connection, branch_id: int, since: datetime, until: datetime) -> list[Record]:
    """Tickets issued in [since, until) that were not transfers: (service key, issued_at,
    booking_start, called_at, served_at, finished_at, state) — what a scenario is built from."""
    return list(
        conn.execute(
            sa.select(
                service_t.c.key,
                ticket_t.c.issued_at,
                ticket_t.c.booking_start,
                ticket_t.c.called_at,
                ticket_t.c.served_at,
                ticket_t.c.finished_at,
                ticket_t.c.state,
            )
            .join(service_t, service_t.c.id == ticket_t.c.service_id)
            .where(
                ticket_t.c.branch_id == branch_id,
                ticket_t.c.issued_at >= since,
                ticket_t.c.issued_at < until,
                ticket_t.c.transferred_from_id.is_(None),
            )
            .order_by(ticket_t.c.issued_at)
        )
    )


def upcoming_bookings(
    conn: Connection, branch_id: int, since: datetime, until: datetime
) -> list[Record]:
    """(id, service_id, start) of bookings not yet checked in that start in [since, until)."""
    return list(
        conn.execute(
            sa.select(booking_t.c.id, booking_t.c.service_id, booking_t.c.start)
            .where(
                booking_t.c.branch_id == branch_id,
                booking_t.c.state == BookingState.BOOKED,
                booking_t.c.start >= since,
                booking_t.c.start < until,
            )
            .order_by(booking_t.c.start)
        )
    )


def service_setup(conn: Connection, branch_id: int) -> list[Record]:
    """The branch's active services with what a simulated scenario copies from them."""
    return list(
        conn.execute(
            sa.select(
                service_t.c.id,
                service_t.c.key,
                service_t.c.name_da,
                service_t.c.area,
                service_t.c.prefix,
                service_t.c.expected_minutes,
                service_t.c.target_minutes,
                service_t.c.walk_in,
                service_t.c.simple,
                service_t.c.bookable,
                service_t.c.slot_minutes,
                service_t.c.capacity,
            )
            .where(service_t.c.branch_id == branch_id, service_t.c.active.is_(True))
            .order_by(service_t.c.sort_order, service_t.c.id)
        )
    )


# How far back, and how many tickets at most, the hour-of-day history reads.
HOURS_BACK = timedelta(days=28)
HOURS_LIMIT = 5000
# (database, branch, services, start of the local hour) -> the hour's history: it reads up to
# `HOURS_LIMIT` rows (40 ms seen on a loaded machine), so once an hour, not every ten seconds.
_by_hour: dict[Hashable, dict[int, tuple[list[float], list[float]]]] = {}


def held_by_hour(
    conn: Connection, branch_id: int, service_ids: Sequence[int], now: datetime
) -> dict[int, tuple[list[float], list[float]]]:
    """service id -> (minutes held of tickets called in the local hour of `now` on the last
    four weeks' days, minutes held of all of them), at most `HOURS_LIMIT` tickets.

    Only tickets finished before the hour began count, so the answer is the same all hour and
    is kept in the process for the hour: the forecast pays for it once an hour, not once per
    run, and the day simulator stays deterministic.
    """
    tz = ZoneInfo(
        memo.recall(
            conn,
            ("branch_timezone", branch_id),
            lambda: (
                conn.execute(
                    sa.select(branch_t.c.timezone).where(branch_t.c.id == branch_id)
                ).scalar_one_or_none()
                or "Europe/Copenhagen"
            ),
        )
    )
    start = now.astimezone(tz).replace(minute=0, second=0, microsecond=0)

    def load() -> dict[int, tuple[list[float], list[float]]]:
        rows = conn.execute(
            sa.select(ticket_t.c.service_id, ticket_t.c.called_at, ticket_t.c.finished_at)
            .where(
                # By service, so the (service, finished) index bounds the read to four weeks.
                ticket_t.c.service_id.in_(list(service_ids)),
                ticket_t.c.state.in_(list(HELD_STATES)),
                ticket_t.c.called_at.is_not(None),
                ticket_t.c.finished_at >= start - HOURS_BACK,
                ticket_t.c.finished_at < start,
            )
            .order_by(ticket_t.c.finished_at.desc())
            .limit(HOURS_LIMIT)
        )
        found: dict[int, tuple[list[float], list[float]]] = {}
        for sid, called, finished in rows:
            minutes = (finished - called).total_seconds() / 60.0
            in_hour, every = found.setdefault(sid, ([], []))
            every.append(minutes)
            if called.astimezone(tz).hour == start.hour:
                in_hour.append(minutes)
        return found

    key = (database_key(conn), branch_id, tuple(service_ids), start)
    found = _by_hour.get(key)
    if found is None:
        if len(_by_hour) >= 256:
            _by_hour.clear()
        found = _by_hour[key] = load()
    return found


def forget_hours() -> None:
    """Drop the remembered hour histories (tests that rebuild a database under one engine)."""
    _by_hour.clear()
