"""Staff users, API tokens and devices, and who a presented token or password belongs to."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from pwdlib import PasswordHash

from skranke.queue.errors import Conflict, InvalidInput, NotFound
from skranke.queue.states import Area, DeviceKind, PrincipalKind, Role
from skranke.store import Conn, branches
from skranke.store import accounts as store

_passwords = PasswordHash.recommended()
PEOPLE = frozenset({PrincipalKind.ADMIN, PrincipalKind.MANAGER, PrincipalKind.STAFF})
_KIND_OF_ROLE = {
    Role.ADMIN: PrincipalKind.ADMIN,
    Role.MANAGER: PrincipalKind.MANAGER,
    Role.STAFF: PrincipalKind.STAFF,
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user or administrator (token or session), or a device."""

    kind: PrincipalKind
    name: str
    role: Role | None = None
    user_id: int | None = None
    device_id: int | None = None
    # Branches this principal may act at; None means every branch (administrators).
    branch_ids: frozenset[int] | None = None

    @property
    def is_staff(self) -> bool:
        """A person at a counter; administrators can do whatever staff can."""
        return self.kind in PEOPLE

    def may_use_branch(self, branch_id: int) -> bool:
        return self.branch_ids is None or branch_id in self.branch_ids


@dataclass(frozen=True)
class StaffLogin:
    id: int
    username: str
    role: Role
    branch_ids: list[int]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _passwords.verify(password, password_hash)


@functools.cache
def _dummy_hash() -> str:
    # Verified when the user is unknown, so a wrong name takes as long as a wrong password.
    return hash_password("not-a-real-password")


def create_user(
    conn: Conn, username: str, password: str, role: Role, branch_keys: list[str]
) -> int:
    if not username or len(password) < 8:
        raise InvalidInput("Expected a username and a password of at least 8 characters")
    if role != Role.ADMIN and not branch_keys:
        # Only administrators work at every branch; a staff user without one is a mistake.
        raise InvalidInput(
            f"Expected at least one branch for staff user {username!r}, but got none"
        )
    if store.user_id(conn, username) is not None:
        raise Conflict(f"User {username!r} exists already")
    branch_ids = [branches.row(conn, key).id for key in branch_keys]
    return store.insert_user(conn, username, hash_password(password), role.value, branch_ids)


def create_token(conn: Conn, username: str, name: str, now: datetime) -> str:
    owner = store.user_id(conn, username)
    if owner is None:
        raise NotFound(f"Unknown user {username!r}")
    token = new_token("skt")
    store.insert_token(conn, owner, name, hash_token(token), now)
    return token


def upsert_device(
    conn: Conn,
    key: str,
    kind: DeviceKind,
    branch_key: str,
    *,
    name: str = "",
    printer_url: str | None = None,
    area: Area | None = None,
) -> str:
    """Create the device, or give an existing one a fresh token; returns the token."""
    branch = branches.row(conn, branch_key)
    token = new_token("skd")
    store.save_device(
        conn,
        key,
        kind=kind.value,
        branch_id=branch.id,
        name=name or key,
        token_hash=hash_token(token),
        printer_url=printer_url,
        area=None if area is None else area.value,
    )
    return token


def principal_for_token(conn: Conn, token: str) -> Principal | None:
    digest = hash_token(token)
    user = store.user_by_token(conn, digest)
    if user is not None:
        ids = list(user.branch_ids or [])
        return staff_principal(user.id, user.username, Role(user.role), ids)
    device = store.device_by_token(conn, digest)
    if device is not None:
        return Principal(
            kind=PrincipalKind(DeviceKind(device.kind).value),
            name=device.key,
            device_id=device.id,
            branch_ids=frozenset({device.branch_id}),
        )
    return None


def authenticate(conn: Conn, username: str, password: str) -> StaffLogin | None:
    """The active user with this name and password, or None (in about the same time)."""
    user = store.active_user(conn, username)
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, user.password_hash):
        return None
    return StaffLogin(user.id, user.username, Role(user.role), list(user.branch_ids or []))


def staff_principal(user_id: int, username: str, role: Role, branch_ids: list[int]) -> Principal:
    # An empty branch list means every branch for staff (see the staff_user table); a manager
    # without branches administers none, never all.
    everywhere = role == Role.ADMIN or (role == Role.STAFF and not branch_ids)
    return Principal(
        kind=_KIND_OF_ROLE[role],
        name=username,
        role=role,
        user_id=user_id,
        branch_ids=None if everywhere else frozenset(branch_ids),
    )
