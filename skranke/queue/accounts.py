"""Staff users, API tokens and devices, and who a presented token belongs to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pwdlib import PasswordHash
from sqlalchemy.engine import Connection

from skranke.queue.errors import Conflict, InvalidInput, NotFound
from skranke.queue.lookup import branch_row
from skranke.queue.states import Area, DeviceKind, Role
from skranke.store.tables import api_token_t, device_t, staff_user_t

_passwords = PasswordHash.recommended()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user (by token or session) or a kiosk/display device."""

    kind: str  # "staff" or a DeviceKind value
    name: str
    role: Role | None = None
    user_id: int | None = None
    device_id: int | None = None
    # Branches this principal may act at; None means every branch (administrators).
    branch_ids: frozenset[int] | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    def may_use_branch(self, branch_id: int) -> bool:
        return self.branch_ids is None or branch_id in self.branch_ids


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _passwords.verify(password, password_hash)


def create_user(
    conn: Connection, username: str, password: str, role: Role, branch_keys: list[str]
) -> int:
    if not username or len(password) < 8:
        raise InvalidInput("Expected a username and a password of at least 8 characters")
    if conn.execute(
        sa.select(staff_user_t.c.id).where(staff_user_t.c.username == username)
    ).first():
        raise Conflict(f"User {username!r} exists already")
    branch_ids = [branch_row(conn, key).id for key in branch_keys]
    user_id: int = conn.execute(
        sa.insert(staff_user_t)
        .values(
            username=username,
            password_hash=hash_password(password),
            role=role.value,
            branch_ids=branch_ids,
            active=True,
        )
        .returning(staff_user_t.c.id)
    ).scalar_one()
    return user_id


def create_token(conn: Connection, username: str, name: str, now: datetime) -> str:
    user = conn.execute(
        sa.select(staff_user_t.c.id).where(staff_user_t.c.username == username)
    ).first()
    if user is None:
        raise NotFound(f"Unknown user {username!r}")
    token = new_token("skt")
    conn.execute(
        sa.insert(api_token_t).values(
            user_id=user.id, name=name, token_hash=hash_token(token), created_at=now
        )
    )
    return token


def upsert_device(
    conn: Connection,
    key: str,
    kind: DeviceKind,
    branch_key: str,
    *,
    name: str = "",
    printer_url: str | None = None,
    area: Area | None = None,
) -> str:
    """Create the device, or give an existing one a fresh token; returns the token."""
    branch = branch_row(conn, branch_key)
    token = new_token("skd")
    values = {
        "kind": kind.value,
        "branch_id": branch.id,
        "name": name or key,
        "token_hash": hash_token(token),
        "printer_url": printer_url,
        "area": None if area is None else area.value,
    }
    existing = conn.execute(sa.select(device_t.c.id).where(device_t.c.key == key)).first()
    if existing is None:
        conn.execute(sa.insert(device_t).values(key=key, **values))
    else:
        conn.execute(sa.update(device_t).where(device_t.c.id == existing.id).values(**values))
    return token


def principal_for_token(conn: Connection, token: str) -> Principal | None:
    digest = hash_token(token)
    user = conn.execute(
        sa.select(staff_user_t)
        .join(api_token_t, api_token_t.c.user_id == staff_user_t.c.id)
        .where(api_token_t.c.token_hash == digest, staff_user_t.c.active.is_(True))
    ).first()
    if user is not None:
        return staff_principal(user.id, user.username, Role(user.role), user.branch_ids)
    device = conn.execute(sa.select(device_t).where(device_t.c.token_hash == digest)).first()
    if device is not None:
        return Principal(
            kind=DeviceKind(device.kind).value,
            name=device.key,
            device_id=device.id,
            branch_ids=frozenset({device.branch_id}),
        )
    return None


def staff_principal(user_id: int, username: str, role: Role, branch_ids: list[int]) -> Principal:
    scope = None if role == Role.ADMIN or not branch_ids else frozenset(branch_ids)
    return Principal(kind="staff", name=username, role=role, user_id=user_id, branch_ids=scope)
