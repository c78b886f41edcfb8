"""The outbox of e-mail and SMS notices, and the booking (or ticket) details a notice is
sent with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import NoticeState
from skranke.store.prepared import Record
from skranke.store.tables import (
    booking_t,
    branch_t,
    outbox_t,
    service_t,
    ticket_contact_t,
    ticket_t,
)

# What every notice row carries, whoever it is for.
_NOTICE = (
    outbox_t.c.id,
    outbox_t.c.channel,
    outbox_t.c.template,
    outbox_t.c.attempts,
    outbox_t.c.next_attempt_at,
)
# A notice holds no address or text: both are read from its booking when it is sent.
_DUE = (
    sa.select(
        *_NOTICE,
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
)
ERROR_CHARS = 300


def add_notices(
    conn: Connection, booking_id: int, template: str, channels: Sequence[str], now: datetime
) -> None:
    """New pending notices of one booking, one per channel, due at once."""
    if not channels:
        return
    conn.execute(
        sa.insert(outbox_t),
        [
            {
                "booking_id": booking_id,
                "channel": channel,
                "template": template,
                "state": NoticeState.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for channel in channels
        ],
    )


def _due(query: sa.Select[Any], now: datetime, limit: int) -> sa.Select[Any]:
    pending = outbox_t.c.state == NoticeState.PENDING.value
    return (
        query.where(pending, outbox_t.c.next_attempt_at <= now)
        .order_by(outbox_t.c.next_attempt_at, outbox_t.c.id)
        .limit(limit)
    )


def due_notices(conn: Connection, now: datetime, limit: int) -> list[Record]:
    """Pending notices due by `now`, oldest first, with their booking's details."""
    return list(conn.execute(_due(_DUE, now, limit)))


def lease_notice(conn: Connection, notice_id: int, due_at: datetime, until: datetime) -> bool:
    """Claim a pending notice still due at `due_at` until `until`, counting the attempt.

    False if another sender claimed it first: its due time moved on when they did.
    """
    result = conn.execute(
        sa.update(outbox_t)
        .where(
            outbox_t.c.id == notice_id,
            outbox_t.c.state == NoticeState.PENDING.value,
            outbox_t.c.next_attempt_at == due_at,
        )
        .values(next_attempt_at=until, attempts=outbox_t.c.attempts + 1)
    )
    return result.rowcount == 1


def attempts_of(conn: Connection, notice_id: int) -> int:
    attempts: int = conn.execute(
        sa.select(outbox_t.c.attempts).where(outbox_t.c.id == notice_id)
    ).scalar_one()
    return attempts


def retry_later(
    conn: Connection, notice_id: int, current: NoticeState, at: datetime, error: str
) -> bool:
    result = conn.execute(
        sa.update(outbox_t)
        .where(outbox_t.c.id == notice_id, outbox_t.c.state == current.value)
        .values(next_attempt_at=at, last_error=error[:ERROR_CHARS])
    )
    return result.rowcount == 1


def finish_notice(
    conn: Connection,
    notice_id: int,
    current: NoticeState,
    target: NoticeState,
    *,
    error: str | None = None,
    sent_at: datetime | None = None,
) -> bool:
    """Move a notice from `current` to `target`; False if it was no longer in `current`."""
    values: dict[str, object] = {
        "state": target.value,
        "last_error": None if error is None else error[:ERROR_CHARS],
    }
    if sent_at is not None:
        values["sent_at"] = sent_at
    result = conn.execute(
        sa.update(outbox_t)
        .where(outbox_t.c.id == notice_id, outbox_t.c.state == current.value)
        .values(**values)
    )
    return result.rowcount == 1


def drop_notices_of(
    conn: Connection, booking_ids: Sequence[int], current: NoticeState, target: NoticeState
) -> None:
    """Notices of these bookings in `current` move to `target`; every one forgets its error.

    An SMTP error may quote the address it refused, so errors go with the personal data.
    """
    conn.execute(
        sa.update(outbox_t)
        .where(outbox_t.c.booking_id.in_(booking_ids))
        .values(
            last_error=None,
            state=sa.case(
                (outbox_t.c.state == current.value, target.value), else_=outbox_t.c.state
            ),
        )
    )


# A ticket's notice: the number is read from its contact row, gone once the ticket ended.
_DUE_TICKET = (
    sa.select(
        *_NOTICE,
        ticket_t.c.number,
        ticket_t.c.language.label("ticket_language"),
        ticket_contact_t.c.language,
        ticket_contact_t.c.phone,
        branch_t.c.name.label("branch_name"),
    )
    .join(ticket_t, ticket_t.c.id == outbox_t.c.ticket_id)
    .outerjoin(ticket_contact_t, ticket_contact_t.c.ticket_id == outbox_t.c.ticket_id)
    .join(branch_t, branch_t.c.id == ticket_t.c.branch_id)
)


def add_ticket_notice(conn: Connection, ticket_id: int, template: str, now: datetime) -> None:
    """A pending SMS of a ticket, due at once."""
    conn.execute(
        sa.insert(outbox_t).values(
            ticket_id=ticket_id,
            channel="sms",
            template=template,
            state=NoticeState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def due_ticket_notices(conn: Connection, now: datetime, limit: int) -> list[Record]:
    """Pending ticket notices due by `now`, oldest first; `phone` is None once erased."""
    return list(conn.execute(_due(_DUE_TICKET, now, limit)))


def drop_ticket_notices(
    conn: Connection, ticket_id: int, current: NoticeState, target: NoticeState
) -> None:
    """`drop_notices_of` for one ticket's notices: pending ones go to `target`, errors go."""
    conn.execute(
        sa.update(outbox_t)
        .where(outbox_t.c.ticket_id == ticket_id)
        .values(
            last_error=None,
            state=sa.case(
                (outbox_t.c.state == current.value, target.value), else_=outbox_t.c.state
            ),
        )
    )
