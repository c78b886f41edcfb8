"""The audit trail: who changed what, on the floor (events) and in the administration.

Each row is an event (a ticket's state change, a counter opened, a booking checked in, a
printer alert) or an administration change (`audit` rows, written by the administration use
cases), newest first. A manager sees their branches' rows only; changes that belong to no
branch (staff accounts) are the administrators'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from skranke.queue import statistics
from skranke.queue.errors import InvalidInput
from skranke.store import Conn
from skranke.store import audit_trail as store

PAGE_SIZE = 50
WHAT = ("all", "tickets", "admin")
# Payload fields the trail shows anyway in their own columns, or that mean nothing to people.
HIDDEN = frozenset({"number", "counter_number", "user_id", "seq"})


@dataclass(frozen=True)
class Query:
    branch: str | None
    first: date
    last: date
    number: str | None = None
    counter: int | None = None
    user: str | None = None
    what: str = "all"


def details(source: str, value: Any) -> str:
    """A short readable line: "state=open", or "name: Old -> New" for administration."""
    if not isinstance(value, dict):
        return ""
    if source == "admin":
        return "; ".join(
            f"{k}: {v[0]!s} → {v[1]!s}" if isinstance(v, list) and len(v) == 2 else f"{k}: {v!s}"
            for k, v in value.items()
        )
    return ", ".join(f"{k}={v}" for k, v in value.items() if k not in HIDDEN and v is not None)


def _kind(kind: str, details: Any) -> str:
    # "counter.state" says little on its own; the state it moved to says what happened.
    if kind == "counter.state" and isinstance(details, dict) and details.get("state"):
        return f"counter.{details['state']}"
    return str(kind)


def rows(
    conn: Conn, q: Query, now: datetime, allowed: frozenset[int] | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """A page of the trail as plain rows, and whether older rows follow."""
    if q.what not in WHAT:
        raise InvalidInput(f"what: Expected one of {', '.join(WHAT)}, but got {q.what!r}")
    if offset < 0:
        raise InvalidInput("page: Expected a page number of 1 or more")
    chosen, ids = statistics.branches_for(conn, q.branch, allowed)
    zone = chosen[0].timezone
    sc = statistics.scope(ids, q.first, q.last, zone, now)
    f = store.Filter(ids, sc.lo, sc.hi, q.number or None, q.counter, q.user or None, q.what)
    found = store.page(conn, f, offset, limit + 1)
    keys = {b.id: b.key for b in chosen}
    local = ZoneInfo(zone)
    out = [
        {
            "at": r.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"),
            "source": r.source,
            "branch": keys.get(r.branch_id, ""),
            "kind": _kind(r.kind, r.details),
            "number": r.number,
            "counter": r.counter,
            "user": r.user,
            "details": details(r.source, r.details),
        }
        for r in found[:limit]
    ]
    return out, len(found) > limit


def staff_names(conn: Conn, allowed: frozenset[int] | None) -> list[str]:
    return store.staff_names(conn, allowed)
