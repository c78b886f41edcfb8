"""The stored set-up read back as the plain values of `queue.configuration`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from skranke.queue import config_plan
from skranke.queue.configuration import (
    BookingRules,
    BranchSetup,
    CounterSetup,
    DeviceSetup,
    Municipality,
    Policy,
    ServiceSetup,
    StaffSetup,
)
from skranke.queue.states import Area, DeviceKind, Role
from skranke.store import Conn, Record
from skranke.store import configuration as stored


def stored_setup(
    conn: Conn, branch_keys: Sequence[str] | None = None, *, with_staff: bool = True
) -> Municipality:
    rows = stored.branches(conn, branch_keys)
    ids = [r.id for r in rows]
    services = stored.services(conn, ids)
    weights: dict[int, dict[str, float]] = {}
    for counter_id, key, weight in stored.grid(conn, ids):
        weights.setdefault(counter_id, {})[key] = weight
    counters = stored.counters(conn, ids)
    devices = stored.devices(conn, ids)
    branches = [
        _branch_setup(
            r,
            [_service_setup(s) for s in services if s.branch_id == r.id],
            [_counter_setup(c, weights.get(c.id, {})) for c in counters if c.branch_id == r.id],
            [device_setup(d) for d in devices if d.branch_id == r.id],
        )
        for r in rows
    ]
    if not with_staff:
        return Municipality(branches=branches)
    users = stored.staff(conn)
    if branch_keys is not None:
        # A manager's view: the people who work at these branches, administrators aside.
        mine = set(ids)
        users = [u for u in users if u.role != Role.ADMIN.value and set(u.branch_ids or []) & mine]
    key_of = stored.branch_keys(conn, None)
    return Municipality(branches=branches, staff=[staff_setup(u, key_of) for u in users])


def _branch_setup(
    r: Record,
    services: list[ServiceSetup],
    counters: list[CounterSetup],
    devices: list[DeviceSetup],
) -> BranchSetup:
    return BranchSetup(
        key=r.key,
        name=r.name,
        address=r.address or "",
        timezone=r.timezone,
        ticket_footer=r.ticket_footer or "",
        municipality=r.municipality or "",
        contact_email=r.contact_email or "",
        contact_phone=r.contact_phone or "",
        contact_url=r.contact_url or "",
        hours=config_plan.hours_value(r.hours or {}),
        closed_dates=tuple(sorted(r.closed_dates or [])),
        special_hours=config_plan.special_hours_value(r.special_hours or {}),
        policy=Policy(
            overflow_threshold_minutes=r.overflow_threshold_minutes,
            recall_limit=r.recall_limit,
            booking_call_window_minutes=r.booking_call_window_minutes,
            cutoff_minutes=r.cutoff_minutes,
        ),
        active=r.active,
        services=tuple(services),
        counters=tuple(counters),
        devices=tuple(devices),
    )


def _service_setup(s: Record) -> ServiceSetup:
    booking = None
    if s.bookable:
        booking = BookingRules(
            slot_minutes=s.slot_minutes,
            capacity=s.capacity,
            advance_days=s.advance_days,
            lead_minutes=s.lead_minutes,
            contact_limit=s.contact_limit,
        )
    return ServiceSetup(
        key=s.key,
        name_da=s.name_da,
        name_en=s.name_en,
        area=Area(s.area),
        prefix=s.prefix,
        expected_minutes=s.expected_minutes,
        target_minutes=s.target_minutes,
        walk_in=s.walk_in,
        simple=s.simple,
        sort_order=s.sort_order,
        active=s.active,
        names=dict(s.names or {}),
        what_to_bring_da=s.what_to_bring_da or "",
        what_to_bring_en=s.what_to_bring_en or "",
        what_to_bring=dict(s.what_to_bring or {}),
        booking=booking,
    )


def _counter_setup(c: Record, weights: Mapping[str, float]) -> CounterSetup:
    return CounterSetup(
        number=c.number, area=Area(c.area), priorities=dict(weights), name=c.name, active=c.active
    )


def device_setup(d: Record) -> DeviceSetup:
    return DeviceSetup(
        key=d.key,
        kind=DeviceKind(d.kind),
        name=d.name or "",
        printer_url=d.printer_url,
        area=None if d.area is None else Area(d.area),
        language=d.language or "da",
        active=d.active,
    )


def staff_setup(u: Record, key_of: Mapping[int, str]) -> StaffSetup:
    return StaffSetup(
        username=u.username,
        role=Role(u.role),
        branches=tuple(sorted(key_of[i] for i in (u.branch_ids or []) if i in key_of)),
        active=u.active,
    )
