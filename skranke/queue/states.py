"""Enumerations and the one function that moves a ticket between states."""

from __future__ import annotations

from enum import IntEnum, StrEnum

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
    ADMIN = "admin"
    STAFF = "staff"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"


_S = TicketState
ALLOWED: dict[TicketState, frozenset[TicketState]] = {
    # A recall keeps a called ticket called; putting back returns it to the queue.
    _S.WAITING: frozenset({_S.CALLED, _S.TRANSFERRED, _S.CANCELLED, _S.CLOSED}),
    _S.CALLED: frozenset(
        {_S.CALLED, _S.SERVING, _S.NO_SHOW, _S.WAITING, _S.TRANSFERRED, _S.PARKED}
    ),
    _S.SERVING: frozenset({_S.DONE, _S.TRANSFERRED, _S.PARKED}),
    # A parked citizen (gone to fetch a document) is resumed at the counter or closed at night.
    _S.PARKED: frozenset({_S.CALLED, _S.WAITING, _S.CLOSED}),
    _S.DONE: frozenset(),
    _S.NO_SHOW: frozenset(),
    _S.TRANSFERRED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.CLOSED: frozenset(),
}

OPEN_STATES = frozenset({_S.WAITING, _S.CALLED, _S.SERVING, _S.PARKED})


def sources_of(target: TicketState) -> list[TicketState]:
    return [state for state, targets in ALLOWED.items() if target in targets]


def transition(current: TicketState, target: TicketState) -> TicketState:
    """Return `target` if a ticket in `current` may move there, else raise IllegalTransition."""
    if target not in ALLOWED[current]:
        expected = " or ".join(state.value for state in sources_of(target)) or "nothing"
        raise IllegalTransition(
            f"Cannot move ticket to {target.value}: expected {expected}, but got {current.value}"
        )
    return target
