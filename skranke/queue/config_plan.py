"""What turns one set-up into another: a pure, deterministic list of `Change` steps.

Each thing is compared as a flat mapping of plain values (`*_fields`), the same values the
audit trail stores as old -> new and the command line prints. Things are matched by key: a
branch by its key, a service by branch and key, a counter by branch and number, a device and a
staff user by their (municipality-wide) key and username.

What is left out of the desired set-up: a branch left out is left alone (a file may hold some
branches only; a branch closes with `active = false`); a service, counter or device left out of
a branch that is there is deactivated (`apply` deletes one that was never used); staff left out
of a `staff` list that is there are deactivated, and no `staff` list leaves staff alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from skranke.queue.calendar import WEEKDAYS
from skranke.queue.configuration import (
    Action,
    BranchSetup,
    Change,
    CounterSetup,
    DeviceSetup,
    Entity,
    Municipality,
    ServiceSetup,
    StaffSetup,
)


def plain(value: Any) -> Any:
    """JSON-safe: enums to their value, mappings to dicts sorted by key, sequences to lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _windows(days: Any) -> dict[str, Any]:
    # A weekday without windows and a weekday left out mean the same: no hours.
    if not isinstance(days, Mapping):
        return {}
    return {day: plain(days[day]) for day in WEEKDAYS if days.get(day)}


def hours_value(hours: Mapping[str, Any]) -> dict[str, Any]:
    return {"booking": _windows(hours.get("booking")), "dropin": _windows(hours.get("dropin"))}


def special_hours_value(special: Mapping[str, Any]) -> dict[str, Any]:
    return {
        day: {
            "booking": plain(list(value.get("booking") or [])),
            "dropin": plain(list(value.get("dropin") or [])),
        }
        for day, value in sorted(special.items())
        if isinstance(value, Mapping)
    }


def branch_fields(b: BranchSetup) -> dict[str, Any]:
    return {
        "name": b.name,
        "address": b.address,
        "timezone": b.timezone,
        "ticket_footer": b.ticket_footer,
        "municipality": b.municipality,
        "contact_email": b.contact_email,
        "contact_phone": b.contact_phone,
        "contact_url": b.contact_url,
        "hours": hours_value(b.hours),
        "closed_dates": sorted(b.closed_dates),
        "special_hours": special_hours_value(b.special_hours),
        "overflow_threshold_minutes": b.policy.overflow_threshold_minutes,
        "recall_limit": b.policy.recall_limit,
        "booking_call_window_minutes": b.policy.booking_call_window_minutes,
        "cutoff_minutes": b.policy.cutoff_minutes,
        "active": b.active,
    }


def service_fields(s: ServiceSetup) -> dict[str, Any]:
    found = {
        "name_da": s.name_da,
        "name_en": s.name_en,
        "area": s.area.value,
        "prefix": s.prefix,
        "expected_minutes": s.expected_minutes,
        "target_minutes": s.target_minutes,
        "walk_in": s.walk_in,
        "simple": s.simple,
        "sort_order": s.sort_order,
        "names": plain({k: v for k, v in s.names.items() if v}),
        "what_to_bring_da": s.what_to_bring_da,
        "what_to_bring_en": s.what_to_bring_en,
        "what_to_bring": plain({k: v for k, v in s.what_to_bring.items() if v}),
        "bookable": s.booking is not None,
        "active": s.active,
    }
    # A service that cannot be booked keeps its old booking settings unseen: they do nothing.
    if s.booking is not None:
        found |= {
            "slot_minutes": s.booking.slot_minutes,
            "capacity": s.booking.capacity,
            "advance_days": s.booking.advance_days,
            "lead_minutes": s.booking.lead_minutes,
            "contact_limit": s.booking.contact_limit,
        }
    return found


def counter_fields(c: CounterSetup) -> dict[str, Any]:
    return {
        "name": c.name or f"Skranke {c.number}",
        "area": c.area.value,
        "priorities": {k: float(w) for k, w in sorted(c.priorities.items())},
        "active": c.active,
    }


def device_fields(d: DeviceSetup, branch_key: str) -> dict[str, Any]:
    return {
        "kind": d.kind.value,
        "branch": branch_key,
        "name": d.name or d.key,
        "printer_url": d.printer_url or None,
        "area": None if d.area is None else d.area.value,
        "language": d.language,
        "active": d.active,
    }


def staff_fields(s: StaffSetup) -> dict[str, Any]:
    return {"role": s.role.value, "branches": sorted(set(s.branches)), "active": s.active}


def diff(
    entity: Entity,
    key: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    branch: str | None,
) -> list[Change]:
    """The one step (or none) that turns `old` into `new`."""
    if old is None:
        return [Change(entity, key, Action.CREATE, {f: (None, v) for f, v in new.items()}, branch)]
    changed = {f: (old.get(f), v) for f, v in new.items() if old.get(f) != v}
    if not changed:
        return []
    # Switching a thing off and nothing else reads as what it is.
    action = Action.DEACTIVATE if changed == {"active": (True, False)} else Action.CHANGE
    return [Change(entity, key, action, changed, branch)]


def _gone(entity: Entity, key: str, old: Mapping[str, Any], branch: str | None) -> list[Change]:
    if not old.get("active", True):
        return []
    return [Change(entity, key, Action.DEACTIVATE, {"active": (True, False)}, branch, True)]


def branch_changes(current: BranchSetup | None, desired: BranchSetup) -> list[Change]:
    old = None if current is None else branch_fields(current)
    return diff(Entity.BRANCH, desired.key, old, branch_fields(desired), desired.key)


def service_changes(
    branch: str, current: ServiceSetup | None, desired: ServiceSetup
) -> list[Change]:
    old = None if current is None else service_fields(current)
    return diff(Entity.SERVICE, f"{branch}/{desired.key}", old, service_fields(desired), branch)


def counter_changes(
    branch: str, current: CounterSetup | None, desired: CounterSetup
) -> list[Change]:
    old = None if current is None else counter_fields(current)
    key = f"{branch}/{desired.number}"
    return diff(Entity.COUNTER, key, old, counter_fields(desired), branch)


def device_changes(
    branch: str, current: tuple[str, DeviceSetup] | None, desired: DeviceSetup
) -> list[Change]:
    old = None if current is None else device_fields(current[1], current[0])
    return diff(Entity.DEVICE, desired.key, old, device_fields(desired, branch), branch)


def staff_changes(current: StaffSetup | None, desired: StaffSetup) -> list[Change]:
    old = None if current is None else staff_fields(current)
    return diff(Entity.STAFF, desired.username, old, staff_fields(desired), None)


def plan(current: Municipality, desired: Municipality) -> list[Change]:
    now = {b.key: b for b in current.branches}
    branches: list[Change] = []
    services: list[Change] = []
    counters: list[Change] = []
    for b in desired.branches:
        old = now.get(b.key)
        branches += branch_changes(old, b)
        old_services = {s.key: s for s in (old.services if old else ())}
        for s in b.services:
            services += service_changes(b.key, old_services.pop(s.key, None), s)
        for s in old_services.values():
            services += _gone(Entity.SERVICE, f"{b.key}/{s.key}", service_fields(s), b.key)
        old_counters = {c.number: c for c in (old.counters if old else ())}
        for c in b.counters:
            counters += counter_changes(b.key, old_counters.pop(c.number, None), c)
        for c in old_counters.values():
            counters += _gone(Entity.COUNTER, f"{b.key}/{c.number}", counter_fields(c), b.key)
    return [
        *branches,
        *services,
        *counters,
        *_device_plan(current, desired),
        *_staff_plan(current.staff or (), desired.staff),
    ]


def _device_plan(current: Municipality, desired: Municipality) -> list[Change]:
    old = {d.key: (b.key, d) for b in current.branches for d in b.devices}
    steps: list[Change] = []
    for b in desired.branches:
        for d in b.devices:
            steps += device_changes(b.key, old.pop(d.key, None), d)
    present = {b.key for b in desired.branches}
    for branch, d in old.values():
        # A device of a branch the desired set-up does not mention is not ours to switch off.
        if branch in present:
            steps += _gone(Entity.DEVICE, d.key, device_fields(d, branch), branch)
    return steps


def _staff_plan(
    current: Sequence[StaffSetup], desired: Sequence[StaffSetup] | None
) -> list[Change]:
    if desired is None:
        return []
    old = {s.username: s for s in current}
    steps: list[Change] = []
    for s in desired:
        steps += staff_changes(old.pop(s.username, None), s)
    for s in old.values():
        steps += _gone(Entity.STAFF, s.username, staff_fields(s), None)
    return steps
