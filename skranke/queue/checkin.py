"""Checking a booked citizen in at the kiosk: the booking code becomes a priority ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from skranke.queue.bookings import BookingInfo, booking_info, move
from skranke.queue.errors import Conflict, Forbidden
from skranke.queue.states import BookingState, TicketSource
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store import Conn
from skranke.store import branches as branch_store
from skranke.store.events import record


@dataclass(frozen=True)
class CheckinWindow:
    # Citizens may check in this long before their time ...
    early: timedelta = timedelta(minutes=30)
    # ... and this long after it; later, the kiosk offers an ordinary drop-in ticket.
    late: timedelta = timedelta(minutes=15)


class TooEarly(Conflict):
    code = "too_early"

    def __init__(self, detail: str, come_back_at: datetime) -> None:
        super().__init__(detail)
        self.come_back_at = come_back_at


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class TooLate(Conflict):
    code = "too_late"

    def __init__(self, detail: str, booking: BookingInfo) -> None:
        super().__init__(detail)
        self.booking = booking


def check_in(
    conn: Conn,
    branch_key: str,
    code: str,
    now: datetime,
    policy: QueuePolicy,
    window: CheckinWindow,
    *,
    dropin: bool = False,
    branch_ids: frozenset[int] | None = None,
    language: str | None = None,
) -> TicketInfo:
    """Issue the booking's ticket. `dropin` accepts a late arrival as an ordinary walk-in.

    `branch_ids` are the branches the kiosk or staff member works at (None: every branch).
    """
    branch = branch_store.row(conn, branch_key)
    # Before the booking is read: another branch's kiosk must not learn whether a code
    # exists, nor when its appointment is.
    if branch_ids is not None and branch.id not in branch_ids:
        raise Forbidden(f"This token belongs to another branch than {branch_key!r}")
    info = booking_info(conn, code)
    if info.branch_key != branch_key:
        raise Forbidden(
            f"Booking {info.code} is for {info.branch_name}, not this branch",
            reason="other_branch",
            branch=info.branch_name,
        )
    if info.state == BookingState.CHECKED_IN:
        raise AlreadyCheckedIn(
            f"Booking {info.code} is already checked in; look for your ticket number",
            reason="already_checked_in",
        )
    if info.state != BookingState.BOOKED and not (dropin and info.state == BookingState.NO_SHOW):
        raise Conflict(
            f"Booking {info.code} is {info.state.value} and cannot be checked in",
            reason="booking_not_usable",
            state=info.state.value,
        )
    if now < info.start - window.early:
        come_back = (info.start - window.early).astimezone(ZoneInfo(info.timezone))
        when = (
            f"{come_back:%H:%M}" if come_back.date() == now.date() else f"{come_back:%d.%m %H:%M}"
        )
        raise TooEarly(f"Too early: please check in from {when}", come_back)
    late = now > info.start + window.late
    if late and not dropin:
        raise TooLate("Too late for the appointment; a drop-in ticket can be taken", info)
    ticket = issue_ticket(
        conn,
        branch_key,
        info.service_key,
        now,
        policy,
        # The ticket speaks the kiosk screen's language, which the citizen chose just now.
        language=language or info.language,
        source=TicketSource.CHECKIN,
        booking_start=None if late else info.start,
        branch_ids=branch_ids,
    )
    if info.state == BookingState.BOOKED:
        move(conn, info, BookingState.CHECKED_IN, checked_in_at=now, ticket_id=ticket.id)
    record(
        conn,
        "booking.checked_in",
        now,
        branch_id=branch.id,
        ticket_id=ticket.id,
        code=info.code,
        late=late,
    )
    return ticket
