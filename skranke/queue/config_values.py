"""Raw mappings (a TOML table, a form's strings) into the set-up dataclasses, every fault at once.

Each `*_from` function reads one mapping and raises `InvalidSetup` listing EVERY value at
fault, each with a dotted path ("branches[1].services[0].prefix", or just "prefix" for a form)
and a stable code the pages translate:

  required, too_long, not_a_number, not_a_bool, out_of_range, bad_choice, bad_key,
  bad_prefix, bad_time, bad_window, overlap, bad_date, bad_email, bad_url, not_a_table,
  not_a_list, duplicate, unknown_field, unknown_service, unknown_branch
(`administration` adds too_short for a password and unknown_counter for the grid.)

Strings are accepted where numbers or booleans are expected ("15" -> 15, "on" -> True), so a
form's fields and a file's values go through the same parser; an empty string is "not given".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from itertools import pairwise
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skranke.queue._values import HHMM, Values
from skranke.queue.calendar import WEEKDAYS
from skranke.queue.configuration import (
    BookingRules,
    BranchSetup,
    CounterSetup,
    DeviceSetup,
    FieldError,
    InvalidSetup,
    Municipality,
    Policy,
    ServiceSetup,
    StaffSetup,
)
from skranke.queue.states import LANGUAGES, Area, DeviceKind, Role

T = TypeVar("T")
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,59}")
PREFIX = re.compile(r"[A-ZÆØÅ]{1,2}")


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidSetup(errors)


def _read(read: Callable[[object, str, list[FieldError]], T], data: object, path: str) -> T:
    errors: list[FieldError] = []
    found = read(data, path, errors)
    _raise(errors)
    return found


def municipality_from(data: object, known_branches: Sequence[str] = ()) -> Municipality:
    """A whole file; `known_branches` are stored branches staff may name besides the file's."""
    return _read(lambda d, p, e: _municipality(d, e, known_branches), data, "")


def branch_from(data: object, path: str = "") -> BranchSetup:
    return _read(_branch, data, path)


def service_from(data: object, path: str = "", position: int = 0) -> ServiceSetup:
    return _read(lambda d, p, e: _service(d, p, e, position), data, path)


def counter_from(data: object, path: str = "") -> CounterSetup:
    return _read(_counter, data, path)


def device_from(data: object, path: str = "") -> DeviceSetup:
    return _read(_device, data, path)


def staff_from(data: object, path: str = "") -> StaffSetup:
    return _read(_staff, data, path)


def _municipality(
    data: object, errors: list[FieldError], known_branches: Sequence[str]
) -> Municipality:
    top = Values(data, "", errors)
    top.only("branches", "staff")
    branches = [_branch(b, f"branches[{i}]", errors) for i, b in enumerate(top.items("branches"))]
    _unique(errors, "branches", [b.key for b in branches], "key")
    devices = [(i, j, d.key) for i, b in enumerate(branches) for j, d in enumerate(b.devices)]
    seen: set[str] = set()
    for i, j, key in devices:
        if key in seen:
            errors.append(_duplicate(f"branches[{i}].devices[{j}].key", key))
        seen.add(key)
    staff = None
    if "staff" in top.data:
        staff = [_staff(s, f"staff[{i}]", errors) for i, s in enumerate(top.items("staff"))]
        _unique(errors, "staff", [s.username for s in staff], "username")
        known = {b.key for b in branches} | set(known_branches)
        for i, s in enumerate(staff):
            for key in s.branches:
                if key not in known:
                    errors.append(
                        FieldError(
                            f"staff[{i}].branches",
                            "unknown_branch",
                            f"Unknown branch {key!r}",
                            {"branch": key},
                        )
                    )
    return Municipality(branches=tuple(branches), staff=None if staff is None else tuple(staff))


def _duplicate(path: str, value: object) -> FieldError:
    return FieldError(path, "duplicate", f"{value!r} appears more than once", {"value": value})


def _unique(errors: list[FieldError], path: str, values: Sequence[object], name: str) -> None:
    seen: set[object] = set()
    for i, value in enumerate(values):
        if value in seen and value not in ("", None):
            errors.append(_duplicate(f"{path}[{i}].{name}", value))
        seen.add(value)


def _branch(data: object, path: str, errors: list[FieldError]) -> BranchSetup:
    v = Values(data, path, errors)
    v.only(*_BRANCH_FIELDS)
    tz = v.text("timezone", 60, default="Europe/Copenhagen")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        v.fault(
            "timezone", "bad_choice", f"Expected a time zone like Europe/Copenhagen, got {tz!r}"
        )
    services = [
        _service(s, v.at(f"services[{i}]"), errors, i) for i, s in enumerate(v.items("services"))
    ]
    counters = [
        _counter(c, v.at(f"counters[{i}]"), errors) for i, c in enumerate(v.items("counters"))
    ]
    devices = [_device(d, v.at(f"devices[{i}]"), errors) for i, d in enumerate(v.items("devices"))]
    _unique(errors, v.at("services"), [s.key for s in services], "key")
    _unique(errors, v.at("counters"), [c.number for c in counters], "number")
    known = {s.key for s in services}
    for i, c in enumerate(counters):
        for key in c.priorities:
            if key not in known:
                errors.append(
                    FieldError(
                        v.at(f"counters[{i}].priorities.{key}"),
                        "unknown_service",
                        f"Unknown service {key!r} in this branch",
                        {"service": key},
                    )
                )
    email = v.text("contact_email", 200)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        v.fault("contact_email", "bad_email", f"Expected an e-mail address, but got {email!r}")
    url = v.text("contact_url", 200)
    if url and not re.fullmatch(r"https?://\S+", url):
        v.fault("contact_url", "bad_url", f"Expected an http(s):// address, but got {url!r}")
    return BranchSetup(
        key=v.matching("key", KEY, "bad_key", "lower-case letters, digits and -"),
        name=v.text("name", 120, required=True),
        address=v.text("address", 200),
        timezone=tz,
        ticket_footer=v.text("ticket_footer", 200),
        municipality=v.text("municipality", 120),
        contact_email=email,
        contact_phone=v.text("contact_phone", 40),
        contact_url=url,
        hours=_hours(v.table("hours")),
        closed_dates=_dates(v, "closed_dates"),
        special_hours=_special_hours(v.table("special_hours")),
        policy=_policy(v.table("policy")),
        active=v.boolean("active", True),
        services=tuple(services),
        counters=tuple(counters),
        devices=tuple(devices),
    )


_BRANCH_FIELDS = (
    "key", "name", "address", "timezone", "ticket_footer", "municipality", "contact_email",
    "contact_phone", "contact_url", "hours", "closed_dates", "special_hours", "policy", "active",
    "services", "counters", "devices",
)  # fmt: skip


def _policy(v: Values) -> Policy:
    v.only("overflow_threshold_minutes", "recall_limit", "booking_call_window_minutes",
           "cutoff_minutes")  # fmt: skip
    return Policy(
        overflow_threshold_minutes=v.maybe_integer("overflow_threshold_minutes", 0, 24 * 60),
        recall_limit=v.maybe_integer("recall_limit", 0, 20),
        booking_call_window_minutes=v.maybe_integer("booking_call_window_minutes", 0, 240),
        cutoff_minutes=v.maybe_integer("cutoff_minutes", 0, 24 * 60),
    )


def _hours(v: Values) -> dict[str, Any]:
    v.only("dropin", "booking")
    found: dict[str, Any] = {}
    for kind in ("dropin", "booking"):
        week = v.table(kind)
        week.only(*WEEKDAYS)
        found[kind] = {
            day: windows
            for day in WEEKDAYS
            if day in week.data and (windows := _windows(week, day))
        }
    return found


def _windows(v: Values, name: str) -> list[list[str]]:
    """["HH:MM", "HH:MM"] pairs, sorted, start before end, not overlapping."""
    pairs: list[list[str]] = []
    for i, pair in enumerate(v.items(name)):
        where = f"{name}[{i}]"
        ok = isinstance(pair, list | tuple) and len(pair) == 2
        if not ok or not all(isinstance(t, str) and HHMM.fullmatch(t) for t in pair):
            v.fault(where, "bad_time", f'Expected ["HH:MM", "HH:MM"], but got {pair!r}')
            continue
        start, end = pair
        if start >= end:
            v.fault(where, "bad_window", f"Expected start before end, but got {start}-{end}")
            continue
        pairs.append([start, end])
    pairs.sort()
    for earlier, later in pairwise(pairs):
        if later[0] < earlier[1]:
            v.fault(name, "overlap", f"{earlier[0]}-{earlier[1]} overlaps {later[0]}-{later[1]}")
    return pairs


def _dates(v: Values, name: str) -> tuple[str, ...]:
    found: list[str] = []
    for i, value in enumerate(v.items(name)):
        try:
            found.append(date.fromisoformat(str(value)).isoformat())
        except ValueError:
            v.fault(f"{name}[{i}]", "bad_date", f"Expected YYYY-MM-DD, but got {value!r}")
            continue
        if found[-1] in found[:-1]:
            v.errors.append(_duplicate(v.at(f"{name}[{i}]"), found[-1]))
    return tuple(sorted(set(found)))


def _special_hours(v: Values) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for day in v.data:
        try:
            iso = date.fromisoformat(str(day)).isoformat()
        except ValueError:
            v.fault(str(day), "bad_date", f"Expected YYYY-MM-DD, but got {day!r}")
            continue
        hours = v.table(str(day))
        hours.only("dropin", "booking")
        found[iso] = {kind: _windows(hours, kind) for kind in ("dropin", "booking")}
    return found


def _service(data: object, path: str, errors: list[FieldError], position: int = 0) -> ServiceSetup:
    v = Values(data, path, errors)
    v.only(*_SERVICE_FIELDS)
    booking = None
    if v.data.get("booking") not in (None, "", False):
        booking = _booking(v.table("booking"))
    return ServiceSetup(
        key=v.matching("key", KEY, "bad_key", "lower-case letters, digits and -"),
        name_da=v.text("name_da", 120, required=True),
        name_en=v.text("name_en", 120, required=True),
        area=v.choice("area", Area) or Area.BORGERSERVICE,
        prefix=v.matching("prefix", PREFIX, "bad_prefix", "one or two capital letters"),
        expected_minutes=v.integer("expected_minutes", 1, 480, 10),
        target_minutes=v.integer("target_minutes", 1, 480, 15),
        walk_in=v.boolean("walk_in", True),
        simple=v.boolean("simple", False),
        sort_order=v.integer("sort_order", 0, 9999, position),
        active=v.boolean("active", True),
        names=v.texts_by_language("names", 120),
        what_to_bring_da=v.text("what_to_bring_da", 500),
        what_to_bring_en=v.text("what_to_bring_en", 500),
        what_to_bring=v.texts_by_language("what_to_bring", 500),
        booking=booking,
    )


_SERVICE_FIELDS = (
    "key", "name_da", "name_en", "area", "prefix", "expected_minutes", "target_minutes",
    "walk_in", "simple", "sort_order", "active", "names", "what_to_bring_da", "what_to_bring_en",
    "what_to_bring", "booking",
)  # fmt: skip


def _booking(v: Values) -> BookingRules:
    v.only("slot_minutes", "capacity", "advance_days", "lead_minutes", "contact_limit")
    return BookingRules(
        slot_minutes=v.integer("slot_minutes", 5, 24 * 60, 15),
        capacity=v.integer("capacity", 1, 500, 1),
        advance_days=v.integer("advance_days", 1, 366, 60),
        lead_minutes=v.integer("lead_minutes", 0, 30 * 24 * 60, 60),
        contact_limit=v.maybe_integer("contact_limit", 1, 100),
    )


def _counter(data: object, path: str, errors: list[FieldError]) -> CounterSetup:
    v = Values(data, path, errors)
    v.only("number", "name", "area", "priorities", "active")
    weights = v.table("priorities")
    priorities = {
        str(key): w
        for key, value in weights.data.items()
        if (w := weights.number(value, str(key), 0.01, 100.0)) is not None
    }
    number = v.integer("number", 1, 9999, 0)
    if "number" not in v.data:
        v.fault("number", "required", "Expected a value, but got none")
    return CounterSetup(
        number=number,
        area=v.choice("area", Area) or Area.BORGERSERVICE,
        priorities=priorities,
        name=v.text("name", 60),
        active=v.boolean("active", True),
    )


def _device(data: object, path: str, errors: list[FieldError]) -> DeviceSetup:
    v = Values(data, path, errors)
    v.only("key", "kind", "name", "printer_url", "area", "language", "active", "token")
    if "token" in v.data:
        v.fault("token", "unknown_field", "Device tokens are never part of the set-up")
    printer = v.text("printer_url", 200) or None
    if printer and not re.fullmatch(r"[a-z]+://\S*", printer):
        v.fault("printer_url", "bad_url", f"Expected e.g. network://10.0.0.5:9100, got {printer!r}")
    language = v.text("language", 5, default="da")
    if language not in LANGUAGES:
        v.fault("language", "bad_choice", f"Expected one of {list(LANGUAGES)}, got {language!r}",
                options=list(LANGUAGES))  # fmt: skip
    area = None
    if v.given("area") is not None:
        area = v.choice("area", Area)
    return DeviceSetup(
        key=v.matching("key", KEY, "bad_key", "lower-case letters, digits and -"),
        kind=v.choice("kind", DeviceKind) or DeviceKind.KIOSK,
        name=v.text("name", 60),
        printer_url=printer,
        area=area,
        language=language,
        active=v.boolean("active", True),
    )


def _staff(data: object, path: str, errors: list[FieldError]) -> StaffSetup:
    v = Values(data, path, errors)
    v.only("username", "role", "branches", "active", "password")
    if "password" in v.data:
        v.fault("password", "unknown_field", "Passwords are never part of the set-up")
    role = v.choice("role", Role, Role.STAFF) or Role.STAFF
    branches = []
    for i, key in enumerate(v.items("branches")):
        if not isinstance(key, str) or not KEY.fullmatch(key):
            v.fault(f"branches[{i}]", "bad_key", f"Expected a branch key, but got {key!r}")
        else:
            branches.append(key)
    if role != Role.ADMIN and not branches:
        v.fault("branches", "required", f"A {role.value} needs at least one branch")
    return StaffSetup(
        username=v.matching("username", USERNAME, "bad_key", "letters, digits and . _ @ -"),
        role=role,
        branches=tuple(sorted(set(branches))),
        active=v.boolean("active", True),
    )
