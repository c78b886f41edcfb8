"""The statistics' SQL: every figure computed in the database, on SQLite and PostgreSQL alike.

Anonymous by construction: no query here selects a booking's name or contact, a ticket's
tracking token, or anything else about a citizen but times, service, source and state. The
definitions (what counts as waiting, handling, idle) are in `skranke.queue.statistics` and
docs/statistics.md; this module turns them into SQL over one "legs" query: a row per ticket
row (a transfer makes a new row, a leg of the same visit) with its times in epoch seconds.

Times are whole epoch seconds on both backends (SQLite: strftime('%s'), PostgreSQL: floor of
EXTRACT(EPOCH)), so both give the same figures to the second. Local hours and weekdays use
the UTC offsets of the period, passed in as (from_epoch, offset_seconds) pairs, because
SQLite knows no time zones.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Subquery

from skranke.queue.states import TicketState
from skranke.store.prepared import Record
from skranke.store.statistics_time import (
    Offsets,
    Scope,
    epoch,
    greatest,
    least,
    local,
    offset_of,
    to_epoch,
)
from skranke.store.tables import (
    booking_t,
    counter_t,
    event_t,
    service_t,
    ticket_t,
)

S = TicketState
# A ticket issued late may be called, parked or finished after its day's end.
SLACK_SECONDS = 6 * 3600


def _in_branches(column: Any, scope: Scope) -> ColumnElement[bool]:
    return sa.true() if scope.branch_ids is None else column.in_(scope.branch_ids)


def parked_stints(conn: Connection, scope: Scope) -> Subquery:
    """ticket id -> seconds at the counter before each time it was parked."""
    seconds = sa.cast(event_t.c.payload["counter_seconds"].as_integer(), sa.BigInteger)
    return (
        sa.select(event_t.c.ticket_id.label("ticket_id"), sa.func.sum(seconds).label("seconds"))
        .where(
            event_t.c.kind == "ticket.parked",
            event_t.c.at >= scope.lo,
            event_t.c.at < _later(scope.hi),
            _in_branches(event_t.c.branch_id, scope),
        )
        .group_by(event_t.c.ticket_id)
        .subquery("parked")
    )


def _later(value: datetime) -> datetime:
    return value + timedelta(seconds=SLACK_SECONDS)


def legs_select(conn: Connection, scope: Scope) -> sa.Select[Any]:
    """One row per ticket row of the scope, its times in epoch seconds and the derived ones.

    wait: queued -> first call (NULL if never called). handling: the call the citizen
    answered (`called_at`, the last call) -> end of the leg, plus any stints before parking,
    for legs that ended done or transferred after a call. busy: the handling, or for a
    no-show the time spent calling them.
    """
    t, s, c = ticket_t, service_t, counter_t
    prev = ticket_t.alias("prev")
    parked = parked_stints(conn, scope)
    issued = epoch(conn, t.c.issued_at)
    first = epoch(conn, t.c.first_called_at)
    called = epoch(conn, t.c.called_at)
    finished = epoch(conn, t.c.finished_at)
    # A transferred leg keeps the original issue time (for its place in the queue); it
    # started waiting at the transfer, unless the leg before it was never called either.
    queued = sa.case(
        (t.c.transferred_from_id.is_(None), issued),
        (prev.c.first_called_at.is_(None), issued),
        else_=epoch(conn, prev.c.finished_at),
    )
    ended_at_counter = sa.and_(
        t.c.state.in_([S.DONE.value, S.TRANSFERRED.value]), t.c.called_at.is_not(None)
    )
    handling = sa.case(
        (ended_at_counter, finished - called + sa.func.coalesce(parked.c.seconds, 0)),
        else_=None,
    )
    busy = sa.case(
        (ended_at_counter, finished - called + sa.func.coalesce(parked.c.seconds, 0)),
        (t.c.state == S.NO_SHOW.value, finished - first),
        else_=None,
    )
    return (
        sa.select(
            t.c.id,
            t.c.branch_id,
            t.c.service_id,
            s.c.area.label("service_area"),
            (s.c.target_minutes * 60).label("target_seconds"),
            t.c.day,
            t.c.source,
            t.c.state,
            t.c.transferred_from_id.is_(None).label("original"),
            t.c.recall_count,
            t.c.counter_id,
            c.c.area.label("counter_area"),
            t.c.called_by_user_id.label("user_id"),
            issued.label("issued"),
            queued.label("queued"),
            first.label("first_called"),
            finished.label("finished"),
            (first - queued).label("wait"),
            handling.label("handling"),
            busy.label("busy"),
            (first - epoch(conn, t.c.booking_start)).label("punctuality"),
        )
        .join(s, s.c.id == t.c.service_id)
        .outerjoin(c, c.c.id == t.c.counter_id)
        .outerjoin(prev, prev.c.id == t.c.transferred_from_id)
        .outerjoin(parked, parked.c.ticket_id == t.c.id)
        .where(_in_branches(t.c.branch_id, scope), t.c.day.between(scope.first, scope.last))
    )


def legs(conn: Connection, scope: Scope) -> Subquery:
    """The legs as a subquery, for a single figure (the supervisor's share of today)."""
    return legs_select(conn, scope).subquery("legs")


_I, _S = sa.Integer, sa.String(40)
LEG_COLUMNS: dict[str, Any] = {
    "id": _I,
    "branch_id": _I,
    "service_id": _I,
    "service_area": _S,
    "target_seconds": _I,
    "day": sa.Date,
    "source": _S,
    "state": _S,
    "original": sa.Boolean,
    "recall_count": _I,
    "counter_id": _I,
    "counter_area": _S,
    "user_id": _I,
    "issued": sa.BigInteger,
    "queued": sa.BigInteger,
    "first_called": sa.BigInteger,
    "finished": sa.BigInteger,
    "wait": sa.BigInteger,
    "handling": sa.BigInteger,
    "busy": sa.BigInteger,
    "punctuality": sa.BigInteger,
}


@contextmanager
def materialized(conn: Connection, scope: Scope) -> Iterator[sa.Table]:
    """The legs computed once into a temporary table, which every figure then reads.

    A dozen figures each re-running the legs query cost a year's page seconds; one pass into
    a temporary table (private to this connection, gone with it) and a dozen scans of it do
    not. Dropped when done: pooled SQLite connections outlive the read.
    """
    table = sa.Table(
        "stats_legs",
        sa.MetaData(),
        *(sa.Column(name, kind) for name, kind in LEG_COLUMNS.items()),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    table.drop(conn, checkfirst=True)
    table.create(conn)
    try:
        conn.execute(sa.insert(table).from_select(list(LEG_COLUMNS), legs_select(conn, scope)))
        yield table
    finally:
        table.drop(conn, checkfirst=True)


def _count_if(condition: Any) -> ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def service_counts(conn: Connection, q: sa.FromClause) -> list[Record]:
    """Per service: tickets (visits started there) by source, and what became of its legs."""
    called = q.c.first_called.is_not(None)
    return list(
        conn.execute(
            sa.select(
                q.c.service_id,
                _count_if(q.c.original).label("tickets"),
                _count_if(sa.and_(q.c.original, q.c.source == "kiosk")).label("kiosk"),
                _count_if(sa.and_(q.c.original, q.c.source == "checkin")).label("checkin"),
                _count_if(sa.and_(q.c.original, q.c.source == "staff")).label("staff"),
                _count_if(sa.and_(q.c.original, q.c.source == "mobile")).label("mobile"),
                _count_if(sa.not_(q.c.original)).label("transferred_in"),
                _count_if(called).label("called"),
                _count_if(sa.and_(called, q.c.wait <= q.c.target_seconds)).label("within"),
                _count_if(q.c.state == S.DONE.value).label("done"),
                _count_if(q.c.state == S.NO_SHOW.value).label("no_shows"),
                _count_if(q.c.state == S.CANCELLED.value).label("cancellations"),
                _count_if(q.c.state == S.TRANSFERRED.value).label("transfers"),
                _count_if(q.c.state == S.CLOSED.value).label("closed"),
                sa.func.coalesce(sa.func.sum(q.c.recall_count), 0).label("recalls"),
                _count_if(sa.and_(q.c.original, q.c.source == "checkin", called)).label(
                    "booked_called"
                ),
                _count_if(
                    sa.and_(q.c.original, q.c.source == "checkin", called, q.c.punctuality <= 300)
                ).label("booked_on_time"),
            ).group_by(q.c.service_id)
        )
    )


def distribution(
    conn: Connection, q: sa.FromClause, value: str, by: str | None, where: Any = None
) -> list[Record]:
    """n, mean, median and 90th percentile (nearest rank) of a legs column, per `by` column.

    Nearest rank: the smallest value whose rank is at least p x n, so every figure is one
    real ticket's time, and both backends agree without percentile functions. Counted over
    a histogram (times are whole seconds, so a year of legs has far fewer distinct values):
    the running count is a window over the histogram, not over every leg.
    """
    v = q.c[value]
    group = [q.c[by]] if by else []
    condition = v.is_not(None) if where is None else sa.and_(v.is_not(None), where(q))
    h = (
        sa.select(*group, v.label("v"), sa.func.count().label("c"))
        .where(condition)
        .group_by(*group, v)
        .subquery("histogram")
    )
    keys = [h.c[by]] if by else []
    partition = keys or None
    r = sa.select(
        *keys,
        h.c.v,
        h.c.c,
        sa.func.sum(h.c.c).over(partition_by=partition, order_by=h.c.v).label("cum"),
        sa.func.sum(h.c.c).over(partition_by=partition).label("n"),
    ).subquery("running")
    out = [r.c[by]] if by else []
    total = sa.cast(sa.func.sum(r.c.v * r.c.c), sa.Float)
    return list(
        conn.execute(
            sa.select(
                *out,
                sa.func.max(r.c.n).label("n"),
                (total / sa.func.max(r.c.n)).label("mean"),
                sa.func.min(sa.case((r.c.cum * 2 >= r.c.n, r.c.v))).label("median"),
                sa.func.min(sa.case((r.c.cum * 10 >= r.c.n * 9, r.c.v))).label("p90"),
            ).group_by(*out)
        )
    )


def heatmap(conn: Connection, q: sa.FromClause, offsets: Offsets) -> list[Record]:
    """Visits started per local weekday (0 = Monday) and hour, with their mean wait."""
    wall = local(q.c.issued, offsets)
    # 1 January 1970 was a Thursday: day 0 is weekday 3.
    weekday = ((wall // 86400) + 3) % 7
    hour = (wall % 86400) // 3600
    return list(
        conn.execute(
            sa.select(
                weekday.label("weekday"),
                hour.label("hour"),
                sa.func.count().label("tickets"),
                sa.func.avg(q.c.wait).label("mean_wait"),
            )
            .where(q.c.original)
            .group_by(weekday, hour)
        )
    )


def by_day(conn: Connection, q: sa.FromClause) -> list[Record]:
    """Per local day: visits started, called legs, their mean wait and how many within target."""
    called = q.c.first_called.is_not(None)
    return list(
        conn.execute(
            sa.select(
                q.c.day,
                _count_if(q.c.original).label("tickets"),
                _count_if(called).label("called"),
                sa.func.avg(q.c.wait).label("mean_wait"),
                _count_if(sa.and_(called, q.c.wait <= q.c.target_seconds)).label("within"),
            )
            .group_by(q.c.day)
            .order_by(q.c.day)
        )
    )


def overflow(conn: Connection, q: sa.FromClause) -> list[Record]:
    """Legs served at a counter of the other area: (counter area, service area, count)."""
    return list(
        conn.execute(
            sa.select(q.c.counter_area, q.c.service_area, sa.func.count().label("tickets"))
            .where(q.c.state == S.DONE.value, q.c.counter_area != q.c.service_area)
            .group_by(q.c.counter_area, q.c.service_area)
        )
    )


def counter_work(conn: Connection, q: sa.FromClause, by: str) -> list[Record]:
    """Per counter (`by="counter_id"`) or staff member (`"user_id"`): tickets and time."""
    key = q.c[by]
    return list(
        conn.execute(
            sa.select(
                key.label("key"),
                _count_if(q.c.state == S.DONE.value).label("tickets"),
                _count_if(q.c.state == S.NO_SHOW.value).label("no_shows"),
                sa.func.coalesce(sa.func.sum(q.c.handling), 0).label("handling"),
                sa.func.count(q.c.handling).label("handled"),
                sa.func.coalesce(sa.func.sum(q.c.busy), 0).label("busy"),
            )
            .where(key.is_not(None), q.c.first_called.is_not(None))
            .group_by(key)
        )
    )


def counter_time(conn: Connection, scope: Scope) -> list[Record]:
    """Seconds each counter spent open and paused, per counter and staff member.

    A state lasts until the counter's next state change, but never past the end of its local
    day (a counter left open overnight was not idle all night) nor past `scope.until`.
    """
    e = event_t
    at = epoch(conn, e.c.at)
    state = e.c.payload["state"].as_string()
    user = e.c.payload["user_id"].as_integer()
    nxt = sa.func.lead(at).over(partition_by=e.c.counter_id, order_by=e.c.seq)
    changes = (
        sa.select(
            e.c.counter_id,
            state.label("state"),
            user.label("user_id"),
            at.label("start"),
            nxt.label("next"),
        )
        .where(
            e.c.kind == "counter.state",
            e.c.at >= scope.lo,
            e.c.at < scope.hi,
            _in_branches(e.c.branch_id, scope),
        )
        .subquery("changes")
    )
    wall = local(changes.c.start, scope.offsets)
    day_end = (wall // 86400 + 1) * 86400 - offset_of(changes.c.start, scope.offsets)
    cap = least(conn, day_end, to_epoch(scope.until))
    end = least(conn, sa.func.coalesce(changes.c.next, cap), cap)
    seconds = greatest(conn, end - changes.c.start, 0)
    return list(
        conn.execute(
            sa.select(
                changes.c.counter_id,
                changes.c.user_id,
                sa.func.sum(sa.case((changes.c.state == "open", seconds), else_=0)).label("open"),
                sa.func.sum(sa.case((changes.c.state == "paused", seconds), else_=0)).label(
                    "paused"
                ),
            ).group_by(changes.c.counter_id, changes.c.user_id)
        )
    )


def bookings(conn: Connection, scope: Scope) -> list[Record]:
    """Bookings whose time falls in the period, counted by state."""
    b = booking_t
    return list(
        conn.execute(
            sa.select(b.c.state, sa.func.count().label("bookings"))
            .where(_in_branches(b.c.branch_id, scope), b.c.start >= scope.lo, b.c.start < scope.hi)
            .group_by(b.c.state)
        )
    )


def ticket_rows(conn: Connection, scope: Scope) -> list[Record]:
    """The anonymous ticket rows of the scope (a few days: a read of the CSV export), by id."""
    # In (day, id) order: the branch-and-day index then delivers the rows in order; "by id"
    # made SQLite walk the branch's every ticket to skip the sort.
    return list(conn.execute(legs_select(conn, scope).order_by(ticket_t.c.day, ticket_t.c.id)))
