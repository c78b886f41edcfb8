"""Print jobs: every ticket a kiosk prints is a row, with its attempts and last error.

Service functions over a SQLAlchemy `Connection`, run through `Database.write`/`read` like the
queue's. Job status moves only through `_move`, a conditional update whose row count is
checked, so two spoolers (several server processes) never print one job twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from skranke.queue import tickets
from skranke.queue.checkin import check_in
from skranke.queue.views import TicketInfo
from skranke.store.events import record
from skranke.store.prepared import Prepared
from skranke.store.tables import (
    UTCDateTime,
    branch_t,
    device_t,
    service_t,
    table,
    ticket_t,
)


class JobStatus(StrEnum):
    QUEUED = "queued"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # permanently: bad configuration; never retried
    DROPPED = "dropped"  # the printer stayed away too long


J = JobStatus
ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    J.QUEUED: frozenset({J.PRINTING, J.DROPPED}),
    # A claim whose lease ran out (the process died mid-print) may be claimed again.
    J.PRINTING: frozenset({J.PRINTING, J.PRINTED, J.QUEUED, J.FAILED, J.DROPPED}),
    J.PRINTED: frozenset(),
    J.FAILED: frozenset(),
    J.DROPPED: frozenset(),
}


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


def issue_with_print(
    conn: Connection, device_id: int | None, *args: Any, **kwargs: Any
) -> tuple[TicketInfo, int | None]:
    """`tickets.issue_ticket`, plus a print job if `device_id` is a kiosk with a printer.

    One transaction for both: the ticket and its job commit together or not at all.
    """
    info = tickets.issue_ticket(conn, *args, **kwargs)
    return info, add_job(conn, device_id, info)


def check_in_with_print(
    conn: Connection, device_id: int | None, *args: Any, **kwargs: Any
) -> tuple[TicketInfo, int | None]:
    """`checkin.check_in`, plus a print job like `issue_with_print`, in one transaction."""
    info = check_in(conn, *args, **kwargs)
    return info, add_job(conn, device_id, info)


def add_job(conn: Connection, device_id: int | None, info: TicketInfo) -> int | None:
    """A print job for a just-issued ticket, if `device_id` is a kiosk with a printer."""
    if device_id is None:
        return None
    payload = {"position": info.position, "wait_minutes": info.estimated_wait_minutes}
    job_id: int | None = INSERT_JOB.scalar(
        conn,
        {"device_id": device_id, "ticket_id": info.id, "payload": payload, "now": info.issued_at},
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
            branch_t.c.name.label("branch_name"),
            branch_t.c.timezone,
            branch_t.c.ticket_footer,
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
        )
        for r in rows
    ]


def _move(
    conn: Connection,
    job_id: int,
    target: JobStatus,
    now: datetime,
    **values: Any,
) -> bool:
    """Move the job to `target` from any status allowed to get there; False if none was."""
    sources = [s.value for s, targets in ALLOWED.items() if target in targets]
    condition: sa.ColumnElement[bool] = print_job_t.c.status.in_(sources)
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
    return _move(
        conn,
        job_id,
        J.PRINTING,
        now,
        attempts=print_job_t.c.attempts + 1,
        next_attempt_at=now + lease,
    )


def printed(conn: Connection, job_id: int, now: datetime) -> bool:
    return _move(conn, job_id, J.PRINTED, now, printed_at=now, last_error=None)


def failed(
    conn: Connection, job_id: int, now: datetime, error: str, retry_at: datetime | None
) -> bool:
    """A passing failure (`retry_at` given) re-queues the job; a permanent one ends it."""
    if retry_at is None:
        return _move(conn, job_id, J.FAILED, now, last_error=error[:500])
    return _move(conn, job_id, J.QUEUED, now, last_error=error[:500], next_attempt_at=retry_at)


def postpone(conn: Connection, device_id: int, retry_at: datetime) -> None:
    """The printer is away: none of the device's queued jobs is due before `retry_at`."""
    conn.execute(
        sa.update(print_job_t)
        .where(print_job_t.c.device_id == device_id, print_job_t.c.status == J.QUEUED.value)
        .values(next_attempt_at=retry_at)
    )


def drop(conn: Connection, job_ids: list[int], now: datetime) -> list[tuple[int, str]]:
    """Give up on these jobs; one alert per device names the tickets that never printed."""
    dropped: dict[tuple[int, int, str], list[str]] = {}
    for job_id in job_ids:
        if not _move(conn, job_id, J.DROPPED, now):
            continue
        row = conn.execute(
            sa.select(
                print_job_t.c.device_id, print_job_t.c.branch_id, device_t.c.key, ticket_t.c.number
            )
            .join(device_t, device_t.c.id == print_job_t.c.device_id)
            .join(ticket_t, ticket_t.c.id == print_job_t.c.ticket_id)
            .where(print_job_t.c.id == job_id)
        ).one()
        dropped.setdefault((row.device_id, row.branch_id, row.key), []).append(row.number)
    for (_, branch_id, key), numbers in dropped.items():
        record(
            conn,
            "printer.alert",
            now,
            branch_id=branch_id,
            device=key,
            problem="dropped",
            detail=f"Gave up printing {len(numbers)} ticket(s): {', '.join(numbers)}",
            tickets=numbers,
        )
    return [(device_id, key) for device_id, _, key in dropped]


def alert(
    conn: Connection,
    branch_id: int,
    device_key: str,
    problem: str | None,
    detail: str,
    now: datetime,
) -> None:
    """A printer problem for staff pages and the admin; `problem=None` means it is solved."""
    if problem is None:
        record(conn, "printer.recovered", now, branch_id=branch_id, device=device_key)
    else:
        record(
            conn,
            "printer.alert",
            now,
            branch_id=branch_id,
            device=device_key,
            problem=problem,
            detail=detail,
        )


def job_status(conn: Connection, job_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(print_job_t).where(print_job_t.c.id == job_id)).one()
    return dict(row._mapping)


def record_printed(
    conn: Connection,
    job_id: int,
    branch_id: int,
    device_key: str,
    now: datetime,
    alert_change: tuple[str | None, str] | None,
) -> None:
    printed(conn, job_id, now)
    if alert_change is not None:
        alert(conn, branch_id, device_key, alert_change[0], alert_change[1], now)


def record_failure(
    conn: Connection,
    job_id: int,
    device_id: int,
    branch_id: int,
    device_key: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
    new_problem: str | None,
) -> None:
    """The failed attempt, the postponement of the device's other jobs, and a new alert."""
    failed(conn, job_id, now, error, retry_at)
    if retry_at is not None:
        postpone(conn, device_id, retry_at)
    if new_problem is not None:
        alert(conn, branch_id, device_key, new_problem, error, now)
