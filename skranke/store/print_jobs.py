"""Print jobs: every ticket a kiosk prints is a row, with its attempts and last error.

A job's status moves only through `move`, a conditional update whose row count is checked, so
two spoolers (several server processes) never print one job twice. Which statuses may move
where is `PRINT_JOB` in `skranke.queue.states`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from skranke.queue.states import PRINT_JOB, PrintJobStatus
from skranke.store.prepared import Prepared, Record
from skranke.store.tables import (
    UTCDateTime,
    branch_t,
    device_t,
    service_t,
    table,
    ticket_t,
)

J = PrintJobStatus


# In the tables' own SQLModel metadata: Alembic's env imports this module to see it.
class PrintJob(SQLModel, table=True):
    __tablename__ = "print_job"
    __table_args__ = (sa.Index("ix_print_job_pending", "status", "device_id"),)
    id: int | None = Field(default=None, primary_key=True)
    # Removing a kiosk removes its print history with it.
    device_id: int = Field(foreign_key="device.id", ondelete="CASCADE")
    branch_id: int = Field(foreign_key="branch.id")
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    status: str = Field(default=J.QUEUED.value, sa_type=sa.String(20))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    # What the kiosk showed when the ticket was taken (position, wait), so a ticket printed
    # late still matches the screen. Names and numbers are read from their tables.
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Queued: not retried before this. Printing: the claim's lease; after it, reclaimable.
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    printed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


print_job_t = table(PrintJob)
PENDING = (J.QUEUED.value, J.PRINTING.value)
# Per target, the statuses a conditional update may move a job from.
_SOURCES = {target: [s.value for s in PRINT_JOB.sources_of(target)] for target in J}

# Built once: this runs inside the ticket's own transaction on the hot path. Selecting from
# the device row makes a kiosk without a printer cost one statement that inserts nothing.
_JOB_COLUMNS = ["device_id", "branch_id", "ticket_id", "status", "attempts", "payload"]
_JOB_COLUMNS += ["created_at", "next_attempt_at"]
_now = sa.bindparam("now", type_=UTCDateTime)
INSERT_JOB = Prepared(
    sa.insert(print_job_t)
    .from_select(
        _JOB_COLUMNS,
        sa.select(
            device_t.c.id,
            device_t.c.branch_id,
            sa.bindparam("ticket_id", type_=sa.Integer),
            sa.literal(J.QUEUED.value),
            sa.literal(0),
            sa.bindparam("payload", type_=sa.JSON),
            _now,
            _now,
        ).where(
            device_t.c.id == sa.bindparam("device_id", type_=sa.Integer),
            device_t.c.printer_url.is_not(None),
            device_t.c.printer_url != "",
        ),
    )
    .returning(print_job_t.c.id)
)


def insert_job(
    conn: Connection, device_id: int, ticket_id: int, payload: dict[str, Any], now: datetime
) -> int | None:
    """A queued job for the ticket if the device has a printer; its id, else None."""
    job_id: int | None = INSERT_JOB.scalar(
        conn, {"device_id": device_id, "ticket_id": ticket_id, "payload": payload, "now": now}
    )
    return job_id


@dataclass(frozen=True)
class PendingJob:
    """A job and everything its ticket needs to be printed."""

    id: int
    device_id: int
    device_key: str
    branch_id: int
    printer_url: str | None
    attempts: int
    created_at: datetime
    payload: dict[str, Any]
    number: str
    tracking: str
    language: str
    issued_at: datetime
    service_key: str
    service_name_da: str
    service_name_en: str
    branch_name: str
    timezone: str
    footer: str
    # The errand's names in the other kiosk languages (service.names).
    service_names: dict[str, str] = field(default_factory=dict)
    branch_address: str = ""


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        print_job_t.c.status == J.QUEUED.value,
        sa.and_(print_job_t.c.status == J.PRINTING.value, print_job_t.c.next_attempt_at <= now),
    )


def scan(conn: Connection, now: datetime, drop_before: datetime) -> tuple[list[int], list[int]]:
    """Devices with a job due now, and jobs waiting since before `drop_before`."""
    due = conn.execute(
        sa.select(print_job_t.c.device_id)
        .where(print_job_t.c.status.in_(PENDING), print_job_t.c.next_attempt_at <= now)
        .distinct()
    ).scalars()
    expired = conn.execute(
        sa.select(print_job_t.c.id).where(
            print_job_t.c.status.in_(PENDING),
            _claimable(now),
            print_job_t.c.created_at < drop_before,
        )
    ).scalars()
    return list(due), list(expired)


def device_jobs(
    conn: Connection, device_id: int, now: datetime, limit: int = 50
) -> list[PendingJob]:
    """The device's claimable jobs, oldest first: they print in the order they were made."""
    rows = conn.execute(
        sa.select(
            print_job_t,
            device_t.c.key.label("device_key"),
            device_t.c.printer_url,
            ticket_t.c.number,
            ticket_t.c.tracking,
            ticket_t.c.language,
            ticket_t.c.issued_at,
            service_t.c.key.label("service_key"),
            service_t.c.name_da,
            service_t.c.name_en,
            service_t.c.names.label("service_names"),
            branch_t.c.name.label("branch_name"),
            branch_t.c.timezone,
            branch_t.c.ticket_footer,
            branch_t.c.address.label("branch_address"),
        )
        .join(device_t, device_t.c.id == print_job_t.c.device_id)
        .join(ticket_t, ticket_t.c.id == print_job_t.c.ticket_id)
        .join(service_t, service_t.c.id == ticket_t.c.service_id)
        .join(branch_t, branch_t.c.id == print_job_t.c.branch_id)
        .where(print_job_t.c.device_id == device_id, _claimable(now))
        .order_by(print_job_t.c.id)
        .limit(limit)
    )
    return [
        PendingJob(
            id=r.id,
            device_id=r.device_id,
            device_key=r.device_key,
            branch_id=r.branch_id,
            printer_url=r.printer_url or None,
            attempts=r.attempts,
            created_at=r.created_at,
            payload=r.payload or {},
            number=r.number,
            tracking=r.tracking,
            language=r.language,
            issued_at=r.issued_at,
            service_key=r.service_key,
            service_name_da=r.name_da,
            service_name_en=r.name_en,
            branch_name=r.branch_name,
            timezone=r.timezone,
            footer=r.ticket_footer,
            service_names=r.service_names or {},
            branch_address=r.branch_address or "",
        )
        for r in rows
    ]


def move(
    conn: Connection,
    job_id: int,
    target: PrintJobStatus,
    now: datetime,
    **values: Any,
) -> bool:
    """Move the job to `target` from any status allowed to get there; False if none was."""
    condition: sa.ColumnElement[bool] = print_job_t.c.status.in_(_SOURCES[target])
    if target in (J.PRINTING, J.DROPPED):
        # Claiming or dropping a job another process is printing would print it twice.
        condition = sa.and_(condition, _claimable(now))
    result = conn.execute(
        sa.update(print_job_t)
        .where(print_job_t.c.id == job_id, condition)
        .values(status=target.value, **values)
    )
    # Nothing got updated: another spooler got there first, or the job is finished.
    return result.rowcount == 1


def claim(conn: Connection, job_id: int, now: datetime, lease: timedelta) -> bool:
    return move(
        conn,
        job_id,
        J.PRINTING,
        now,
        attempts=print_job_t.c.attempts + 1,
        next_attempt_at=now + lease,
    )


def printed(conn: Connection, job_id: int, now: datetime) -> bool:
    return move(conn, job_id, J.PRINTED, now, printed_at=now, last_error=None)


def failed(
    conn: Connection, job_id: int, now: datetime, error: str, retry_at: datetime | None
) -> bool:
    """A passing failure (`retry_at` given) re-queues the job; a permanent one ends it."""
    if retry_at is None:
        return move(conn, job_id, J.FAILED, now, last_error=error[:500])
    return move(conn, job_id, J.QUEUED, now, last_error=error[:500], next_attempt_at=retry_at)


def dropped(conn: Connection, job_id: int, now: datetime) -> bool:
    return move(conn, job_id, J.DROPPED, now)


def postpone(conn: Connection, device_id: int, retry_at: datetime) -> None:
    """The printer is away: none of the device's queued jobs is due before `retry_at`."""
    conn.execute(
        sa.update(print_job_t)
        .where(print_job_t.c.device_id == device_id, print_job_t.c.status == J.QUEUED.value)
        .values(next_attempt_at=retry_at)
    )


def job_ticket(conn: Connection, job_id: int) -> Record:
    """The job's device (id, branch, key) and its ticket's number, for an alert naming it."""
    return conn.execute(
        sa.select(
            print_job_t.c.device_id, print_job_t.c.branch_id, device_t.c.key, ticket_t.c.number
        )
        .join(device_t, device_t.c.id == print_job_t.c.device_id)
        .join(ticket_t, ticket_t.c.id == print_job_t.c.ticket_id)
        .where(print_job_t.c.id == job_id)
    ).one()


def job_status(conn: Connection, job_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(print_job_t).where(print_job_t.c.id == job_id)).one()
    return dict(row._mapping)
