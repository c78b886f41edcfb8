"""Administration use cases: change the set-up as one actor, within their branches, audited.

Every write of the set-up goes through `apply`, whether it came from a form in `/admin` or
from `skranke config apply`: it checks the actor may make each change (an administrator: every
branch; a manager: their own branches, and never an administrator account), performs it, and
records who, when and what (old -> new) in the audit trail, in the caller's one transaction.

CONTRACT (session of 2026-12-04): signatures fixed here first so the administration pages and
the configuration file could be built side by side; bodies are filled in by the configuration
work. Pages call the `save_*` helpers; the command line calls `read_municipality`, `plan` and
`apply`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from skranke.queue.accounts import Principal
from skranke.queue.configuration import (
    BranchSetup,
    Change,
    CounterSetup,
    DeviceSetup,
    Municipality,
    ServiceSetup,
    StaffSetup,
)
from skranke.store import Conn


def read_municipality(conn: Conn, branch_keys: Sequence[str] | None = None) -> Municipality:
    """The stored set-up (deactivated things included, marked inactive); `branch_keys` limits
    it to those branches (a manager's view). Staff are included."""
    raise NotImplementedError


def read_branch(conn: Conn, branch_key: str) -> BranchSetup:
    """One branch with its services, counters and devices (NotFound when unknown)."""
    raise NotImplementedError


def plan(current: Municipality, desired: Municipality) -> list[Change]:
    """What turns `current` into `desired`: creates, changes and deactivations, in the order
    they can be applied (branches, services, counters, devices, staff). Equal set-ups give []."""
    raise NotImplementedError


def apply(conn: Conn, actor: Principal, now: datetime, changes: Sequence[Change]) -> None:
    """Perform `changes` in the caller's transaction, each audited; Forbidden (before writing
    anything) when the actor may not make one of them."""
    raise NotImplementedError


def save_branch(conn: Conn, actor: Principal, now: datetime, setup: BranchSetup) -> list[Change]:
    """Create or change a branch's own fields (name ... policy, hours, special days); its
    services, counters and devices are left alone. Returns what changed ([] when nothing)."""
    raise NotImplementedError


def save_service(
    conn: Conn, actor: Principal, now: datetime, branch_key: str, setup: ServiceSetup
) -> list[Change]:
    raise NotImplementedError


def save_counter(
    conn: Conn, actor: Principal, now: datetime, branch_key: str, setup: CounterSetup
) -> list[Change]:
    raise NotImplementedError


def save_grid(
    conn: Conn,
    actor: Principal,
    now: datetime,
    branch_key: str,
    grid: Mapping[int, Mapping[str, float]],
) -> list[Change]:
    """The service x priority grid of all counters of a branch: counter number -> service key
    -> weight; a service left out of a counter's row is not served there."""
    raise NotImplementedError


def save_device(
    conn: Conn, actor: Principal, now: datetime, branch_key: str, setup: DeviceSetup
) -> tuple[list[Change], str | None]:
    """Create or change a device; the second value is the new device's token (shown once),
    None when it existed."""
    raise NotImplementedError


def rotate_device_token(conn: Conn, actor: Principal, now: datetime, device_key: str) -> str:
    """A new token for the device; the old one stops working at once. Audited, token never."""
    raise NotImplementedError


def save_staff(
    conn: Conn, actor: Principal, now: datetime, setup: StaffSetup, password: str | None = None
) -> list[Change]:
    """Create (password required, >= 8 characters) or change a staff user; a manager may only
    give their own branches and never the admin role."""
    raise NotImplementedError


def reset_password(
    conn: Conn, actor: Principal, now: datetime, username: str, password: str
) -> None:
    """Set a new password (audited as "reset-password", the password never); the user's API
    tokens and sessions stay valid unless the page also deactivates them."""
    raise NotImplementedError
