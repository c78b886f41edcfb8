"""A ticket on paper: issuing it with its print job, and what happens to that job after.

Issuing and checking in at a kiosk make the ticket and its print job in one transaction, so
both commit or neither does. The spooler reports each attempt through `record_printed`,
`record_failure` and `drop`, which move the job and record the `printer.alert` or
`printer.recovered` event staff pages show, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from skranke.queue import tickets
from skranke.queue.checkin import check_in
from skranke.queue.views import TicketInfo
from skranke.store import Conn, print_jobs
from skranke.store.events import record


class PrinterProblem(StrEnum):
    """What staff are told about a kiosk's printer (the `problem` of a `printer.alert`)."""

    UNREACHABLE = "unreachable"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    PAPER_LOW = "paper_low"  # a warning: tickets still print
    AGENT_OFFLINE = "agent_offline"
    MISCONFIGURED = "misconfigured"  # permanent: a bad printer URL, or none any more
    ERROR = "error"  # the printer failed and could not say why
    DROPPED = "dropped"  # tickets given up on after the printer stayed away too long


def issue_with_print(
    conn: Conn, device_id: int | None, *args: Any, **kwargs: Any
) -> tuple[TicketInfo, int | None]:
    """`tickets.issue_ticket`, plus a print job if `device_id` is a kiosk with a printer.

    One transaction for both: the ticket and its job commit together or not at all.
    """
    info = tickets.issue_ticket(conn, *args, **kwargs)
    return info, add_job(conn, device_id, info)


def check_in_with_print(
    conn: Conn, device_id: int | None, *args: Any, **kwargs: Any
) -> tuple[TicketInfo, int | None]:
    """`checkin.check_in`, plus a print job like `issue_with_print`, in one transaction."""
    info = check_in(conn, *args, **kwargs)
    return info, add_job(conn, device_id, info)


def add_job(conn: Conn, device_id: int | None, info: TicketInfo) -> int | None:
    """A print job for a just-issued ticket, if `device_id` is a kiosk with a printer."""
    if device_id is None:
        return None
    payload: dict[str, Any] = {
        "position": info.position,
        "wait_minutes": info.estimated_wait_minutes,
    }
    if info.estimated_wait_range is not None:
        payload["wait_range"] = list(info.estimated_wait_range)  # printed as the kiosk shows it
    return print_jobs.insert_job(conn, device_id, info.id, payload, info.issued_at)


def alert(
    conn: Conn,
    branch_id: int,
    device_key: str,
    problem: PrinterProblem | None,
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
            problem=problem.value,
            detail=detail,
        )


def drop(conn: Conn, job_ids: list[int], now: datetime) -> list[tuple[int, str]]:
    """Give up on these jobs; one alert per device names the tickets that never printed."""
    dropped: dict[tuple[int, int, str], list[str]] = {}
    for job_id in job_ids:
        if not print_jobs.dropped(conn, job_id, now):
            continue
        row = print_jobs.job_ticket(conn, job_id)
        dropped.setdefault((row.device_id, row.branch_id, row.key), []).append(row.number)
    for (_, branch_id, key), numbers in dropped.items():
        record(
            conn,
            "printer.alert",
            now,
            branch_id=branch_id,
            device=key,
            problem=PrinterProblem.DROPPED.value,
            detail=f"Gave up printing {len(numbers)} ticket(s): {', '.join(numbers)}",
            tickets=numbers,
        )
    return [(device_id, key) for device_id, _, key in dropped]


def record_printed(
    conn: Conn,
    job_id: int,
    branch_id: int,
    device_key: str,
    now: datetime,
    alert_change: tuple[PrinterProblem | None, str] | None,
) -> None:
    print_jobs.printed(conn, job_id, now)
    if alert_change is not None:
        alert(conn, branch_id, device_key, alert_change[0], alert_change[1], now)


def record_failure(
    conn: Conn,
    job_id: int,
    device_id: int,
    branch_id: int,
    device_key: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
    new_problem: PrinterProblem | None,
) -> None:
    """The failed attempt, the postponement of the device's other jobs, and a new alert."""
    print_jobs.failed(conn, job_id, now, error, retry_at)
    if retry_at is not None:
        print_jobs.postpone(conn, device_id, retry_at)
    if new_problem is not None:
        alert(conn, branch_id, device_key, new_problem, error, now)
