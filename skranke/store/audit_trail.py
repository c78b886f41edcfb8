"""The audit trail's reads: every event (ticket, counter, booking, printer) and every
administration change, newest first, filtered and paged in SQL on both backends.

Writing administration rows is `store.audit`'s; events are written by `store.events`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.prepared import Record
from skranke.store.tables import audit_t, counter_t, event_t, staff_user_t, ticket_t


@dataclass(frozen=True)
class Filter:
    branch_ids: tuple[int, ...] | None  # None: every branch, and changes of no branch
    lo: datetime
    hi: datetime
    number: str | None = None  # a ticket number ("F001")
    counter: int | None = None  # a counter number
    user: str | None = None  # a staff member's user name
    what: str = "all"  # all | tickets | admin


def _events(f: Filter) -> sa.Select[tuple[object, ...]]:
    user_id = event_t.c.payload["user_id"].as_integer()
    query = (
        sa.select(
            event_t.c.at,
            sa.literal("event").label("source"),
            event_t.c.seq.label("id"),
            event_t.c.branch_id,
            event_t.c.kind,
            ticket_t.c.number,
            counter_t.c.number.label("counter"),
            staff_user_t.c.username.label("user"),
            event_t.c.payload.label("details"),
        )
        .outerjoin(ticket_t, ticket_t.c.id == event_t.c.ticket_id)
        .outerjoin(counter_t, counter_t.c.id == event_t.c.counter_id)
        .outerjoin(staff_user_t, staff_user_t.c.id == user_id)
        .where(event_t.c.at >= f.lo, event_t.c.at < f.hi)
    )
    if f.branch_ids is not None:
        query = query.where(event_t.c.branch_id.in_(f.branch_ids))
    if f.number:
        query = query.where(ticket_t.c.number == f.number)
    if f.counter is not None:
        query = query.where(counter_t.c.number == f.counter)
    if f.user:
        query = query.where(staff_user_t.c.username == f.user)
    return query


def _changes(f: Filter) -> sa.Select[tuple[object, ...]]:
    kind = audit_t.c.entity + sa.literal(".") + audit_t.c.action
    query = sa.select(
        audit_t.c.at,
        sa.literal("admin").label("source"),
        audit_t.c.id,
        audit_t.c.branch_id,
        kind.label("kind"),
        audit_t.c.entity_key.label("number"),
        sa.null().label("counter"),
        audit_t.c.actor.label("user"),
        audit_t.c.changes.label("details"),
    ).where(audit_t.c.at >= f.lo, audit_t.c.at < f.hi)
    if f.branch_ids is not None:
        query = query.where(audit_t.c.branch_id.in_(f.branch_ids))
    if f.user:
        query = query.where(audit_t.c.actor == f.user)
    return query


def page(conn: Connection, f: Filter, offset: int, limit: int) -> list[Record]:
    """Up to `limit` rows after `offset`, newest first: at, source, id, branch_id, kind,
    number (a ticket's, or the changed entity's key), counter, user, details."""
    parts = []
    if f.what in ("all", "tickets"):
        parts.append(_events(f))
    # A ticket or counter filter asks about the floor, which administration rows are not.
    if f.what in ("all", "admin") and not f.number and f.counter is None:
        parts.append(_changes(f))
    if not parts:
        return []
    union = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("trail")
    return list(
        conn.execute(
            sa.select(union)
            .order_by(union.c.at.desc(), union.c.source, union.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def staff_names(conn: Connection, branch_ids: Collection[int] | None) -> list[str]:
    """User names for the staff filter (a manager's branches' staff, or everyone)."""
    rows = conn.execute(
        sa.select(staff_user_t.c.username, staff_user_t.c.branch_ids).order_by(
            staff_user_t.c.username
        )
    )
    if branch_ids is None:
        return [r.username for r in rows]
    mine = set(branch_ids)
    return [r.username for r in rows if not r.branch_ids or mine & set(r.branch_ids)]
