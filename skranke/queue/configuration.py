"""A municipality's whole set-up as plain data: what `/admin` edits and `kommune.toml` holds.

Both the administration pages and `skranke config apply` describe the set-up they want as these
values; `plan` compares it with what is stored and says what to create, change or deactivate;
`skranke.queue.administration` applies a plan in one transaction and writes the audit trail.
One path, so a change made in the browser and the same change made in the file are the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from skranke.queue.errors import InvalidInput
from skranke.queue.states import Area, DeviceKind, Role


class Entity(StrEnum):
    BRANCH = "branch"
    SERVICE = "service"
    COUNTER = "counter"
    DEVICE = "device"
    STAFF = "staff"


class Action(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    # Things in use are deactivated, never deleted, so history and statistics stay.
    DEACTIVATE = "deactivate"


@dataclass(frozen=True)
class BookingRules:
    """How a service is booked online; absent on a service that cannot be booked."""

    slot_minutes: int = 15
    capacity: int = 1
    advance_days: int = 60
    lead_minutes: int = 60
    # Open bookings one e-mail or phone may hold; None: the server's setting.
    contact_limit: int | None = None


@dataclass(frozen=True)
class ServiceSetup:
    key: str
    name_da: str
    name_en: str
    area: Area
    prefix: str
    expected_minutes: int = 10
    # The share of citizens called within this is what statistics and the supervisor show.
    target_minutes: int = 15
    walk_in: bool = True
    # Simple errands may overflow to counters of the other area when its queue grows long.
    simple: bool = False
    sort_order: int = 0
    active: bool = True
    # Names and what to bring in the other kiosk languages (uk, ar, pl, tr).
    names: Mapping[str, str] = field(default_factory=dict)
    what_to_bring_da: str = ""
    what_to_bring_en: str = ""
    what_to_bring: Mapping[str, str] = field(default_factory=dict)
    booking: BookingRules | None = None


@dataclass(frozen=True)
class CounterSetup:
    number: int
    area: Area
    # service key -> weight (the service x priority grid); equal weights: first come first served.
    priorities: Mapping[str, float]
    name: str = ""
    active: bool = True


@dataclass(frozen=True)
class DeviceSetup:
    """A kiosk or display. Its token is never part of the set-up: it is shown once, when made."""

    key: str
    kind: DeviceKind
    name: str = ""
    printer_url: str | None = None
    # A display limited to one area; None shows both.
    area: Area | None = None
    language: str = "da"
    active: bool = True


@dataclass(frozen=True)
class Policy:
    """Per-branch rules; None falls back to the server's SKRANKE_* setting."""

    overflow_threshold_minutes: int | None = None
    recall_limit: int | None = None
    booking_call_window_minutes: int | None = None
    # New walk-in tickets stop this many minutes before drop-in hours end.
    cutoff_minutes: int | None = None


@dataclass(frozen=True)
class BranchSetup:
    key: str
    name: str
    address: str = ""
    timezone: str = "Europe/Copenhagen"
    ticket_footer: str = ""
    municipality: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    contact_url: str = ""
    # {"dropin": {"mon": [["10:00", "17:00"]], ...}, "booking": {...}} (see queue.calendar).
    hours: Mapping[str, Any] = field(default_factory=dict)
    closed_dates: Sequence[str] = ()  # ISO dates; public holidays are closed anyway
    # ISO date -> {"dropin": [[...]], "booking": [[...]]}: a day with other hours.
    special_hours: Mapping[str, Any] = field(default_factory=dict)
    policy: Policy = Policy()
    active: bool = True
    services: Sequence[ServiceSetup] = ()
    counters: Sequence[CounterSetup] = ()
    devices: Sequence[DeviceSetup] = ()


@dataclass(frozen=True)
class StaffSetup:
    """A person who logs in. No password here: it is set when made or reset in /admin."""

    username: str
    role: Role
    branches: Sequence[str] = ()  # branch keys; an admin has every branch
    active: bool = True


@dataclass(frozen=True)
class Municipality:
    branches: Sequence[BranchSetup] = ()
    # None: the file says nothing about staff, and applying it leaves them alone.
    staff: Sequence[StaffSetup] | None = None


@dataclass(frozen=True)
class Change:
    """One step of a plan. `key` names the thing: "nord", "nord/pas", "nord/3", "kiosk-1"."""

    entity: Entity
    key: str
    action: Action
    # field -> (old, new); on create old is None, on deactivate only "active".
    fields: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    branch: str | None = None
    # Deactivated because the desired set-up leaves it out (rather than keeping it with
    # active = false): `apply` deletes a service or counter nothing ever referred to instead.
    left_out: bool = False


@dataclass(frozen=True)
class FieldError:
    """A value at fault: where (a dotted path, e.g. "branches[1].services[0].prefix", or a form
    field name), a stable code the pages translate, its parameters, and an English detail for
    the API and the command line."""

    path: str
    code: str
    detail: str
    params: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None  # set when the value came from a file


class InvalidSetup(InvalidInput):
    """Values at fault, all of them at once: the pages show each next to its field, the command
    line prints each with its line."""

    code = "invalid_setup"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.path}: {e.detail}" for e in errors) or "Invalid set-up")
        self.errors = list(errors)
