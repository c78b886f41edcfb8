"""Time in the statistics' SQL: epoch seconds and local wall-clock time on both backends.

SQLite knows no time zones, so local hours and weekdays come from the UTC offsets of the
period, passed in as (from_epoch, offset_seconds) pairs (see `skranke.store.statistics`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

__all__ = [
    "Offsets",
    "Scope",
    "epoch",
    "greatest",
    "least",
    "local",
    "offset_of",
    "to_epoch",
]

Offsets = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class Scope:
    """Which tickets: the branches (None: all), the local days, and the instants they span."""

    branch_ids: tuple[int, ...] | None
    first: date
    last: date
    lo: datetime
    hi: datetime
    # (from epoch second, UTC offset in seconds), ascending; the first applies before all.
    offsets: tuple[tuple[int, int], ...]
    # Counter time ends here at the latest (now, for a period that includes today).
    until: datetime


def epoch(conn: Connection, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 of a timestamp column, the same on both backends."""
    if conn.dialect.name == "sqlite":
        # unixepoch() (SQLite 3.38) is four times faster than strftime('%s').
        return sa.cast(sa.func.unixepoch(column), sa.BigInteger)
    return sa.cast(sa.func.floor(sa.extract("epoch", column)), sa.BigInteger)


def least(conn: Connection, a: Any, b: Any) -> ColumnElement[Any]:
    return sa.func.min(a, b) if conn.dialect.name == "sqlite" else sa.func.least(a, b)


def greatest(conn: Connection, a: Any, b: Any) -> ColumnElement[Any]:
    return sa.func.max(a, b) if conn.dialect.name == "sqlite" else sa.func.greatest(a, b)


def to_epoch(value: datetime) -> int:
    return int(value.timestamp())


def offset_of(seconds: Any, offsets: Offsets) -> ColumnElement[int]:
    """The UTC offset in force at `seconds` (an epoch column), as SQL."""
    if len(offsets) == 1:
        return sa.literal(offsets[0][1], sa.BigInteger)
    whens = [(seconds < start, off) for (_, off), (start, _) in itertools.pairwise(offsets)]
    return sa.case(*whens, else_=offsets[-1][1])


def local(seconds: Any, offsets: Offsets) -> ColumnElement[int]:
    """Local wall-clock seconds since 1970 (for hours, weekdays and day ends)."""
    return sa.cast(seconds + offset_of(seconds, offsets), sa.BigInteger)
