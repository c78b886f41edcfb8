"""The anonymous ticket rows of a period, a fortnight at a time: the statistics' row export."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from typing import Any

from skranke.queue.statistics import branches_for, minutes, scope
from skranke.store import Conn
from skranke.store import statistics as store
from skranke.store import statistics_names as names_store

ROW_FIELDS = (
    "day",
    "branch",
    "service",
    "area",
    "source",
    "state",
    "transferred",
    "issued_time",
    "wait_minutes",
    "handling_minutes",
    "recalls",
    "counter",
    "booking_punctuality_minutes",
)


def ticket_rows(
    conn: Conn,
    branch_key: str | None,
    first: date,
    last: date,
    now: datetime,
    allowed: frozenset[int] | None,
    after: int,
    days: int = 14,
) -> tuple[list[dict[str, Any]], int | None]:
    """`days` local days of anonymous ticket rows (no number, name or token), starting
    `after` days into the period, and where the next read starts (None: done)."""
    chosen, ids = branches_for(conn, branch_key, allowed)
    scope(ids, first, last, chosen[0].timezone, now)  # the whole period must be valid
    start = first + timedelta(days=after)
    end = min(start + timedelta(days=days - 1), last)
    sc = scope(ids, start, end, chosen[0].timezone, now)
    names = names_store.names(conn, ids)
    services = {s.id: s for s in names["services"]}
    counter_numbers = {c.id: c.number for c in names["counters"]}
    keys = {b.id: b.key for b in names["branches"]}
    starts = [start for start, _ in sc.offsets]

    def clock(seconds: int) -> str:
        # The period's UTC offsets are known: no time zone lookup per row.
        wall = seconds + sc.offsets[bisect_right(starts, seconds) - 1][1]
        return f"{wall % 86400 // 3600:02d}:{wall % 3600 // 60:02d}"

    out = [
        {
            "day": str(r.day),
            "branch": keys.get(r.branch_id, ""),
            "service": services[r.service_id].key,
            "area": services[r.service_id].area,
            "source": r.source,
            "state": r.state,
            "transferred": not r.original,
            "issued_time": clock(int(r.issued)),
            "wait_minutes": minutes(r.wait),
            "handling_minutes": minutes(r.handling),
            "recalls": r.recall_count,
            "counter": counter_numbers.get(r.counter_id),
            "booking_punctuality_minutes": minutes(r.punctuality),
        }
        for r in store.ticket_rows(conn, sc)
    ]
    return out, (after + days if end < last else None)
