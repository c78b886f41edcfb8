"""Notices waiting to be sent: written with the booking, sent later, retried on failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.tables import booking_t, branch_t, outbox_t, service_t

MAX_ATTEMPTS = 8
# A claimed notice is left alone this long, so a second sender does not send it again.
LEASE = timedelta(minutes=5)
TEMPLATES = ("confirmation", "reminder", "cancellation")


@dataclass(frozen=True)
class Notice:
    """Everything a sender needs, read from the booking at the time of sending."""

    id: int
    channel: str
    template: str
    attempts: int
    code: str
    language: str
    name: str
    email: str | None
    phone: str | None
    start: datetime
    end: datetime
    service_name_da: str
    service_name_en: str
    what_to_bring_da: str
    what_to_bring_en: str
    branch_name: str
    branch_address: str
    timezone: str


def enqueue(
    conn: Connection,
    booking_id: int,
    template: str,
    now: datetime,
    *,
    email: str | None,
    phone: str | None,
) -> int:
    channels = [c for c, address in (("email", email), ("sms", phone)) if address]
    if channels:
        conn.execute(
            sa.insert(outbox_t),
            [
                {
                    "booking_id": booking_id,
                    "channel": channel,
                    "template": template,
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for channel in channels
            ],
        )
    return len(channels)


def claim_due(conn: Connection, now: datetime, limit: int = 50) -> list[Notice]:
    """Claim due notices; each is claimed by one sender only (conditional update)."""
    rows = conn.execute(
        sa.select(
            outbox_t.c.id,
            outbox_t.c.channel,
            outbox_t.c.template,
            outbox_t.c.attempts,
            outbox_t.c.next_attempt_at,
            booking_t.c.code,
            booking_t.c.language,
            booking_t.c.name,
            booking_t.c.email,
            booking_t.c.phone,
            booking_t.c.start,
            booking_t.c.end,
            booking_t.c.purged_at,
            service_t.c.name_da.label("service_name_da"),
            service_t.c.name_en.label("service_name_en"),
            service_t.c.what_to_bring_da,
            service_t.c.what_to_bring_en,
            branch_t.c.name.label("branch_name"),
            branch_t.c.address.label("branch_address"),
            branch_t.c.timezone,
        )
        .join(booking_t, booking_t.c.id == outbox_t.c.booking_id)
        .join(service_t, service_t.c.id == booking_t.c.service_id)
        .join(branch_t, branch_t.c.id == booking_t.c.branch_id)
        .where(outbox_t.c.state == "pending", outbox_t.c.next_attempt_at <= now)
        .order_by(outbox_t.c.next_attempt_at, outbox_t.c.id)
        .limit(limit)
    ).all()
    claimed = []
    for row in rows:
        if row.purged_at is not None:
            _finish(conn, row.id, "dropped", None, now)
            continue
        result = conn.execute(
            sa.update(outbox_t)
            .where(
                outbox_t.c.id == row.id,
                outbox_t.c.state == "pending",
                outbox_t.c.next_attempt_at == row.next_attempt_at,
            )
            .values(next_attempt_at=now + LEASE, attempts=outbox_t.c.attempts + 1)
        )
        if result.rowcount != 1:
            # Nothing got updated: another sender claimed it first.
            continue
        claimed.append(Notice(**{**_fields(row), "attempts": row.attempts + 1}))
    return claimed


def mark_sent(conn: Connection, notice_id: int, now: datetime) -> None:
    _finish(conn, notice_id, "sent", None, now)


def mark_failed(
    conn: Connection, notice_id: int, error: str, now: datetime, *, permanent: bool = False
) -> None:
    attempts = conn.execute(
        sa.select(outbox_t.c.attempts).where(outbox_t.c.id == notice_id)
    ).scalar_one()
    if permanent or attempts >= MAX_ATTEMPTS:
        _finish(conn, notice_id, "failed", error, now)
        return
    # Back off: 1, 2, 4, ... minutes, at most an hour.
    delay = timedelta(minutes=min(60, 2 ** (attempts - 1)))
    conn.execute(
        sa.update(outbox_t)
        .where(outbox_t.c.id == notice_id)
        .values(next_attempt_at=now + delay, last_error=error[:300])
    )


def _finish(conn: Connection, notice_id: int, state: str, error: str | None, now: datetime) -> None:
    values: dict[str, Any] = {"state": state, "last_error": None if error is None else error[:300]}
    if state == "sent":
        values["sent_at"] = now
    conn.execute(sa.update(outbox_t).where(outbox_t.c.id == notice_id).values(**values))


def _fields(row: Any) -> dict[str, Any]:
    names = Notice.__dataclass_fields__
    return {name: getattr(row, name) for name in names if name != "attempts"} | {
        "attempts": row.attempts
    }
