"""Enumerations, and the one transition helper every state machine goes through."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum
from typing import Generic, Literal, TypeVar

from skranke.queue.errors import IllegalTransition


class Area(StrEnum):
    LIBRARY = "library"
    BORGERSERVICE = "borgerservice"


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class TicketSource(StrEnum):
    KIOSK = "kiosk"
    CHECKIN = "checkin"
    STAFF = "staff"
    MOBILE = "mobile"


class Lane(IntEnum):
    """Walk-ins queue by waiting time; booked and transferred citizens go before them."""

    WALK_IN = 0
    BOOKED = 1
    TRANSFERRED = 2


class BookingState(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    SERVED = "served"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class Role(StrEnum):
    # The municipality: every branch. A manager administers their own branches.
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"


class PrincipalKind(StrEnum):
    """Who is calling: a person (admin, staff) or a device (kiosk, display, print agent)."""

    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    KIOSK = "kiosk"
    DISPLAY = "display"
    AGENT = "agent"


class PrintJobStatus(StrEnum):
    QUEUED = "queued"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # permanently: bad configuration; never retried
    DROPPED = "dropped"  # the printer stayed away too long


class NoticeState(StrEnum):
    """An e-mail or SMS in the outbox."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # the booking's personal data was purged before it went out


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"


# Every language a citizen's screen, ticket or booking can be in; staff pages are da/en.
Language = Literal["da", "en", "uk", "ar", "pl", "tr"]
LANGUAGES: tuple[Language, ...] = ("da", "en", "uk", "ar", "pl", "tr")
PAGE_LANGUAGES: tuple[Language, ...] = ("da", "en")
# Online booking is also offered in the two kiosk languages most asked for after English.
BOOKING_LANGUAGES: tuple[Language, ...] = ("da", "en", "uk", "ar")
RTL_LANGUAGES: frozenset[str] = frozenset({"ar"})

E = TypeVar("E", bound=StrEnum)


class Transitions(Generic[E]):
    """Which moves a state machine allows; `check` is the one place an illegal move is refused."""

    def __init__(self, name: str, allowed: Mapping[E, frozenset[E]]) -> None:
        self.name = name
        self.allowed = dict(allowed)

    def sources_of(self, target: E) -> list[E]:
        return [state for state, targets in self.allowed.items() if target in targets]

    def check(self, current: E, target: E) -> E:
        """Return `target` if a row in `current` may move there, else raise IllegalTransition."""
        if target not in self.allowed[current]:
            expected = " or ".join(state.value for state in self.sources_of(target)) or "nothing"
            raise IllegalTransition(
                f"Cannot move {self.name} to {target.value}: "
                f"expected {expected}, but got {current.value}"
            )
        return target


_S = TicketState
TICKET = Transitions(
    "ticket",
    {
        # A recall keeps a called ticket called; putting back returns it to the queue.
        _S.WAITING: frozenset({_S.CALLED, _S.TRANSFERRED, _S.CANCELLED, _S.CLOSED}),
        _S.CALLED: frozenset(
            {_S.CALLED, _S.SERVING, _S.NO_SHOW, _S.WAITING, _S.TRANSFERRED, _S.PARKED}
        ),
        _S.SERVING: frozenset({_S.DONE, _S.TRANSFERRED, _S.PARKED}),
        # A parked citizen (gone to fetch a document) is resumed at the counter or closed at
        # night.
        _S.PARKED: frozenset({_S.CALLED, _S.WAITING, _S.CLOSED}),
        _S.DONE: frozenset(),
        _S.NO_SHOW: frozenset(),
        _S.TRANSFERRED: frozenset(),
        _S.CANCELLED: frozenset(),
        _S.CLOSED: frozenset(),
    },
)
OPEN_STATES = frozenset({_S.WAITING, _S.CALLED, _S.SERVING, _S.PARKED})

_B = BookingState
BOOKING = Transitions(
    "booking",
    {
        _B.BOOKED: frozenset({_B.CHECKED_IN, _B.NO_SHOW, _B.CANCELLED}),
        _B.CHECKED_IN: frozenset({_B.SERVED}),
        _B.SERVED: frozenset(),
        _B.NO_SHOW: frozenset(),
        _B.CANCELLED: frozenset(),
    },
)

_J = PrintJobStatus
PRINT_JOB = Transitions(
    "print job",
    {
        _J.QUEUED: frozenset({_J.PRINTING, _J.DROPPED}),
        # A claim whose lease ran out (the process died mid-print) may be claimed again.
        _J.PRINTING: frozenset({_J.PRINTING, _J.PRINTED, _J.QUEUED, _J.FAILED, _J.DROPPED}),
        _J.PRINTED: frozenset(),
        _J.FAILED: frozenset(),
        _J.DROPPED: frozenset(),
    },
)

_N = NoticeState
NOTICE = Transitions(
    "notice",
    {
        # A pending notice stays pending between attempts (its next attempt moves on).
        _N.PENDING: frozenset({_N.PENDING, _N.SENT, _N.FAILED, _N.DROPPED}),
        _N.SENT: frozenset(),
        _N.FAILED: frozenset(),
        _N.DROPPED: frozenset(),
    },
)


def sources_of(target: TicketState) -> list[TicketState]:
    return TICKET.sources_of(target)


def transition(current: TicketState, target: TicketState) -> TicketState:
    """Return `target` if a ticket in `current` may move there, else raise IllegalTransition."""
    return TICKET.check(current, target)
