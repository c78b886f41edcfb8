"""Administration use cases: change the set-up as one actor, within their branches, audited.

Every write of the set-up goes through `apply`, whether it came from a form in `/admin` or
from `skranke config apply`: it checks the actor may make each change (an administrator: every
branch; a manager: their own branches, and never an administrator account), performs it, and
records who, when and what (old -> new) in the audit trail, in the caller's one transaction.

CONTRACT (session of 2026-12-04): signatures fixed here first so the administration pages and
the configuration file could be built side by side. Pages call the `save_*` helpers; the
command line calls `read_municipality`, `plan` and `apply` (`apply_with_tokens` when it must
print the tokens of devices it creates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from skranke.queue import config_plan
from skranke.queue._apply import Steps, authorise, authorise_branch, authorise_staff
from skranke.queue._read_setup import device_setup, staff_setup, stored_setup
from skranke.queue.accounts import Principal, hash_password, hash_token, new_token
from skranke.queue.configuration import (
    BranchSetup,
    Change,
    CounterSetup,
    DeviceSetup,
    Entity,
    FieldError,
    InvalidSetup,
    Municipality,
    ServiceSetup,
    StaffSetup,
)
from skranke.queue.errors import NotFound
from skranke.store import Conn
from skranke.store import audit as audit_store
from skranke.store import configuration as stored

MIN_PASSWORD = 8


def read_municipality(conn: Conn, branch_keys: Sequence[str] | None = None) -> Municipality:
    """The stored set-up (deactivated things included, marked inactive); `branch_keys` limits
    it to those branches (a manager's view). Staff are included."""
    return stored_setup(conn, branch_keys)


def read_branch(conn: Conn, branch_key: str) -> BranchSetup:
    """One branch with its services, counters and devices (NotFound when unknown)."""
    found = stored_setup(conn, [branch_key], with_staff=False).branches
    if not found:
        raise NotFound(f"Unknown branch {branch_key!r}")
    return found[0]


def plan(current: Municipality, desired: Municipality) -> list[Change]:
    """What turns `current` into `desired`: creates, changes and deactivations, in the order
    they can be applied (branches, services, counters, devices, staff). Equal set-ups give []."""
    return config_plan.plan(current, desired)


def apply(conn: Conn, actor: Principal, now: datetime, changes: Sequence[Change]) -> None:
    """Perform `changes` in the caller's transaction, each audited; Forbidden (before writing
    anything) when the actor may not make one of them."""
    apply_with_tokens(conn, actor, now, changes)


def apply_with_tokens(
    conn: Conn, actor: Principal, now: datetime, changes: Sequence[Change]
) -> dict[str, str]:
    """`apply`, returning the token of each device it created (device key -> token)."""
    authorise(conn, actor, changes)
    steps = Steps(conn, actor, now)
    for change in changes:
        steps.perform(change)
    return steps.tokens


def save_branch(conn: Conn, actor: Principal, now: datetime, setup: BranchSetup) -> list[Change]:
    """Create or change a branch's own fields (name ... policy, hours, special days); its
    services, counters and devices are left alone. Returns what changed ([] when nothing)."""
    current = _maybe_branch(conn, setup.key)
    changes = config_plan.branch_changes(current, setup)
    apply(conn, actor, now, changes)
    return changes


def save_service(
    conn: Conn, actor: Principal, now: datetime, branch_key: str, setup: ServiceSetup
) -> list[Change]:
    branch = read_branch(conn, branch_key)
    current = next((s for s in branch.services if s.key == setup.key), None)
    changes = config_plan.service_changes(branch_key, current, setup)
    apply(conn, actor, now, changes)
    return changes


def save_counter(
    conn: Conn, actor: Principal, now: datetime, branch_key: str, setup: CounterSetup
) -> list[Change]:
    branch = read_branch(conn, branch_key)
    _check_services(branch, {setup.number: setup.priorities})
    current = next((c for c in branch.counters if c.number == setup.number), None)
    changes = config_plan.counter_changes(branch_key, current, setup)
    apply(conn, actor, now, changes)
    return changes


def save_grid(
    conn: Conn,
    actor: Principal,
    now: datetime,
    branch_key: str,
    grid: Mapping[int, Mapping[str, float]],
) -> list[Change]:
    """The service x priority grid of all counters of a branch: counter number -> service key
    -> weight; a service left out of a counter's row is not served there."""
    branch = read_branch(conn, branch_key)
    counters = {c.number: c for c in branch.counters}
    errors = [
        FieldError(f"grid.{number}", "unknown_counter", f"Unknown counter {number}")
        for number in grid
        if number not in counters
    ]
    if errors:
        raise InvalidSetup(errors)
    _check_services(branch, grid)
    changes: list[Change] = []
    for number, row in sorted(grid.items()):
        current = counters[number]
        changes += config_plan.counter_changes(
            branch_key, current, replace(current, priorities=dict(row))
        )
    apply(conn, actor, now, changes)
    return changes


def save_device(
    conn: Conn, actor: Principal, now: datetime, branch_key: str, setup: DeviceSetup
) -> tuple[list[Change], str | None]:
    """Create or change a device; the second value is the new device's token (shown once),
    None when it existed."""
    if not stored.branch_ids(conn, [branch_key]):
        raise NotFound(f"Unknown branch {branch_key!r}")
    row = stored.device(conn, setup.key)
    current = None
    if row is not None:
        key_of = stored.branch_keys(conn, [row.branch_id])
        current = (key_of[row.branch_id], device_setup(row))
    changes = config_plan.device_changes(branch_key, current, setup)
    tokens = apply_with_tokens(conn, actor, now, changes)
    return changes, tokens.get(setup.key)


def rotate_device_token(conn: Conn, actor: Principal, now: datetime, device_key: str) -> str:
    """A new token for the device; the old one stops working at once. Audited, token never."""
    row = stored.device(conn, device_key)
    if row is None:
        raise NotFound(f"Unknown device {device_key!r}")
    key_of = stored.branch_keys(conn, [row.branch_id])
    branch = key_of[row.branch_id]
    authorise_branch(conn, actor, branch)
    token = new_token("skd")
    stored.update_device(conn, row.id, {"token_hash": hash_token(token)})
    _audit(conn, actor, now, row.branch_id, Entity.DEVICE, device_key, "rotate-token", {})
    return token


def save_staff(
    conn: Conn, actor: Principal, now: datetime, setup: StaffSetup, password: str | None = None
) -> list[Change]:
    """Create (password required, >= 8 characters) or change a staff user; a manager may only
    give their own branches and never the admin role."""
    row = stored.staff_user(conn, setup.username)
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidSetup([_short_password()])
    if row is None and password is None:
        raise InvalidSetup([FieldError("password", "required", "Expected a password")])
    key_of = stored.branch_keys(conn, None)
    current = None if row is None else staff_setup(row, key_of)
    changes = config_plan.staff_changes(current, setup)
    if row is not None and password is not None:
        authorise_staff(conn, actor, setup.username)
    apply(conn, actor, now, changes)
    if password is not None:
        _set_password(conn, actor, now, setup.username, password, audited=row is not None)
    return changes


def reset_password(
    conn: Conn, actor: Principal, now: datetime, username: str, password: str
) -> None:
    """Set a new password (audited as "reset-password", the password never); the user's API
    tokens and sessions stay valid unless the page also deactivates them."""
    if stored.staff_user(conn, username) is None:
        raise NotFound(f"Unknown user {username!r}")
    if len(password) < MIN_PASSWORD:
        raise InvalidSetup([_short_password()])
    authorise_staff(conn, actor, username)
    _set_password(conn, actor, now, username, password, audited=True)


# --- helpers -------------------------------------------------------------------------------


def _set_password(
    conn: Conn, actor: Principal, now: datetime, username: str, password: str, *, audited: bool
) -> None:
    row = stored.staff_user(conn, username)
    assert row is not None
    stored.update_staff(conn, row.id, {"password_hash": hash_password(password)})
    if audited:
        _audit(conn, actor, now, None, Entity.STAFF, username, "reset-password", {})


def _audit(
    conn: Conn,
    actor: Principal,
    now: datetime,
    branch_id: int | None,
    entity: Entity,
    key: str,
    action: str,
    changes: Mapping[str, object],
) -> None:
    audit_store.record(
        conn,
        at=now,
        actor=actor.name,
        actor_id=actor.user_id,
        branch_id=branch_id,
        entity=entity.value,
        entity_key=key,
        action=action,
        changes=changes,
    )


def _short_password() -> FieldError:
    return FieldError(
        "password",
        "too_short",
        f"Expected a password of at least {MIN_PASSWORD} characters",
        {"min": MIN_PASSWORD},
    )


def _check_services(branch: BranchSetup, grid: Mapping[int, Mapping[str, float]]) -> None:
    known = {s.key for s in branch.services}
    errors = [
        FieldError(
            f"grid.{number}.{key}",
            "unknown_service",
            f"Unknown service {key!r} at branch {branch.key!r}",
            {"service": key},
        )
        for number, row in sorted(grid.items())
        for key in row
        if key not in known
    ]
    if errors:
        raise InvalidSetup(errors)


def _maybe_branch(conn: Conn, key: str) -> BranchSetup | None:
    found = stored_setup(conn, [key], with_staff=False).branches
    return found[0] if found else None
