"""The demo municipality: `demo_kommune.toml` applied, demo passwords, and tokens that stay.

The set-up itself is a configuration file shipped in the package, applied through the same
path as `skranke config apply`. What a file cannot hold lives here: the demo passwords, and
the device and API tokens, which `skranke demo` keeps in a file beside the database so that a
kiosk or display left open keeps working across `make run` (rotated only when asked).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path

from skranke.queue import administration, config_file
from skranke.queue.accounts import Principal, create_token, hash_token, principal_for_token
from skranke.queue.configuration import Action, BranchSetup, Change, Entity, Municipality
from skranke.queue.states import PrincipalKind, Role
from skranke.store import Conn
from skranke.store import configuration as stored

BRANCH = "hovedbiblioteket"
KIOSK, DISPLAY = "kiosk-1", "display-1"
PASSWORDS = {"admin": "demo-admin", "staff": "demo-staff", "leder": "demo-leder"}
ACTOR = Principal(PrincipalKind.ADMIN, "demo", Role.ADMIN)


@dataclass(frozen=True)
class DemoCredentials:
    kiosk_token: str
    display_token: str
    staff_token: str
    admin_token: str

    def as_json(self) -> dict[str, str]:
        return {
            KIOSK: self.kiosk_token,
            DISPLAY: self.display_token,
            "staff": self.staff_token,
            "admin": self.admin_token,
        }


def demo_setup(printer_url: str | None = "network://127.0.0.1:9100") -> Municipality:
    text = resources.files("skranke").joinpath("demo_kommune.toml").read_text("utf-8")
    setup = config_file.load(text)
    return replace(setup, branches=[_with_printer(b, printer_url) for b in setup.branches])


def _with_printer(branch: BranchSetup, printer_url: str | None) -> BranchSetup:
    devices = [replace(d, printer_url=printer_url) if d.key == KIOSK else d for d in branch.devices]
    return replace(branch, devices=devices)


def load_demo(
    conn: Conn,
    now: datetime,
    printer_url: str | None = "network://127.0.0.1:9100",
    kept: Mapping[str, str] | None = None,
) -> DemoCredentials:
    """Apply the demo set-up; hand back its tokens, reusing those in `kept` that still work.

    On a database that has the demo already, only what is missing is made (and the kiosk's
    printer set), so changes made in /admin survive. Tokens not in `kept`, or no longer valid,
    are made afresh: `kept=None` rotates every one.
    """
    current = administration.read_municipality(conn)
    desired = demo_setup(printer_url)
    # Staff the demo does not name are left alone (a missing staff entry would deactivate).
    named = {s.username for s in desired.staff or ()}
    others = [s for s in current.staff or () if s.username not in named]
    desired = replace(desired, staff=[*(desired.staff or ()), *others])
    steps = [
        c
        for c in administration.plan(current, desired)
        if c.action == Action.CREATE or _printer_only(c)
    ]
    made = administration.apply_with_tokens(conn, ACTOR, now, steps)
    for change in steps:
        if change.entity == Entity.STAFF and change.key in PASSWORDS:
            password = PASSWORDS[change.key]
            administration.reset_password(conn, ACTOR, now, change.key, password)
    kept = kept or {}
    return DemoCredentials(
        kiosk_token=made.get(KIOSK) or _device_token(conn, now, KIOSK, kept.get(KIOSK)),
        display_token=made.get(DISPLAY) or _device_token(conn, now, DISPLAY, kept.get(DISPLAY)),
        staff_token=_api_token(conn, now, "staff", kept.get("staff")),
        admin_token=_api_token(conn, now, "admin", kept.get("admin")),
    )


def _printer_only(change: Change) -> bool:
    # `make run` may point the kiosk at another emulator port (PRINTER_PORT).
    return (
        change.entity == Entity.DEVICE
        and change.key == KIOSK
        and set(change.fields) == {"printer_url"}
    )


def _device_token(conn: Conn, now: datetime, key: str, token: str | None) -> str:
    row = stored.device(conn, key)
    if token and row is not None and row.token_hash == hash_token(token):
        return token
    return administration.rotate_device_token(conn, ACTOR, now, key)


def _api_token(conn: Conn, now: datetime, username: str, token: str | None) -> str:
    if token:
        owner = principal_for_token(conn, token)
        if owner is not None and owner.name == username:
            return token
    return create_token(conn, username, "demo", now)


# --- the token file ------------------------------------------------------------------------


def tokens_file(database_url: str) -> Path:
    """var/demo-devices.json beside a SQLite database, else in ./var."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        return Path(database_url[len(prefix) :]).parent / "demo-devices.json"
    return Path("var") / "demo-devices.json"


def read_tokens(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def write_tokens(path: Path, creds: DemoCredentials) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created owner-only from the start: the tokens open the kiosk and the staff API.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(creds.as_json(), out, indent=2)
    os.chmod(path, 0o600)
