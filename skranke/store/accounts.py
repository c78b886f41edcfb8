"""Staff users, their API tokens, and devices (kiosks, displays): rows and the keys they hold.

Tokens and passwords arrive here already hashed; what they mean is `skranke.queue.accounts`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.prepared import Prepared, Record
from skranke.store.tables import api_token_t, device_t, staff_user_t

_bp = sa.bindparam
# Every API call with a token not in the token cache runs these two: prepared once.
_TOKEN_USER = Prepared(
    sa.select(staff_user_t)
    .join(api_token_t, api_token_t.c.user_id == staff_user_t.c.id)
    .where(api_token_t.c.token_hash == _bp("digest"), staff_user_t.c.active.is_(True))
)
# A deactivated device's token is refused like an unknown one.
_TOKEN_DEVICE = Prepared(
    sa.select(device_t).where(device_t.c.token_hash == _bp("digest"), device_t.c.active.is_(True))
)


def user_id(conn: Connection, username: str) -> int | None:
    found: int | None = conn.execute(
        sa.select(staff_user_t.c.id).where(staff_user_t.c.username == username)
    ).scalar()
    return found


def active_user(conn: Connection, username: str) -> Record | None:
    return conn.execute(
        sa.select(staff_user_t).where(
            staff_user_t.c.username == username, staff_user_t.c.active.is_(True)
        )
    ).first()


def insert_user(
    conn: Connection, username: str, password_hash: str, role: str, branch_ids: list[int]
) -> int:
    new_id: int = conn.execute(
        sa.insert(staff_user_t)
        .values(
            username=username,
            password_hash=password_hash,
            role=role,
            branch_ids=branch_ids,
            active=True,
        )
        .returning(staff_user_t.c.id)
    ).scalar_one()
    return new_id


def insert_token(
    conn: Connection, owner_id: int, name: str, token_hash: str, created_at: datetime
) -> None:
    conn.execute(
        sa.insert(api_token_t).values(
            user_id=owner_id, name=name, token_hash=token_hash, created_at=created_at
        )
    )


def save_device(
    conn: Connection,
    key: str,
    *,
    kind: str,
    branch_id: int,
    name: str,
    token_hash: str,
    printer_url: str | None,
    area: str | None,
) -> None:
    """Insert the device, or overwrite the one with this key (a fresh token, say)."""
    values = {
        "kind": kind,
        "branch_id": branch_id,
        "name": name,
        "token_hash": token_hash,
        "printer_url": printer_url,
        "area": area,
    }
    existing = conn.execute(sa.select(device_t.c.id).where(device_t.c.key == key)).first()
    if existing is None:
        conn.execute(sa.insert(device_t).values(key=key, **values))
    else:
        conn.execute(sa.update(device_t).where(device_t.c.id == existing.id).values(**values))


def user_by_token(conn: Connection, token_hash: str) -> Record | None:
    return _TOKEN_USER.first(conn, {"digest": token_hash})


def device_by_token(conn: Connection, token_hash: str) -> Record | None:
    return _TOKEN_DEVICE.first(conn, {"digest": token_hash})


def record_contact(conn: Connection, device_id: int, at: datetime) -> None:
    """The device was heard from at `at` (the auth layer calls this at most once a minute)."""
    conn.execute(sa.update(device_t).where(device_t.c.id == device_id).values(last_contact_at=at))
