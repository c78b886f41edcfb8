"""Idempotency keys: claiming one for a request, storing its answer, reading it back.

The unique (caller, key) index decides between two requests with one key: the first to insert
its row goes ahead; the other's `INSERT … ON CONFLICT DO NOTHING` inserts nothing. On
PostgreSQL that insert first waits for the winner's transaction, so by the time it reports no
row the winner's answer is committed and readable.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from skranke.store.prepared import Prepared, Record
from skranke.store.tables import idempotency_key_t

_bp = sa.bindparam
_c = idempotency_key_t.c
_CLAIM = {
    dialect: Prepared(
        insert(idempotency_key_t)
        .values(
            caller=_bp("caller"),
            key=_bp("key"),
            fingerprint=_bp("fingerprint"),
            status=0,
            body=b"",
            created_at=_bp("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["caller", "key"])
        .returning(_c.id)
    )
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}
_ANSWER = Prepared(
    sa.update(idempotency_key_t)
    .where(_c.id == _bp("key_id"))
    .values(status=_bp("status"), body=_bp("body"))
    # RETURNING so that it runs as a row-giving statement on both paths of `Prepared`.
    .returning(_c.id)
)
_STORED = Prepared(
    sa.select(_c.fingerprint, _c.status, _c.body).where(
        _c.caller == _bp("caller"), _c.key == _bp("key")
    )
)


def claim(conn: Connection, caller: str, key: str, fingerprint: str, now: datetime) -> int | None:
    """The new key row's id, or None if the caller used this key before."""
    params = {"caller": caller, "key": key, "fingerprint": fingerprint, "created_at": now}
    key_id: int | None = _CLAIM[conn.dialect.name].scalar(conn, params)
    return key_id


def answer(conn: Connection, key_id: int, status: int, body: bytes) -> None:
    """The answer a claimed key gets when it is sent again."""
    _ANSWER.all(conn, {"key_id": key_id, "status": status, "body": body})


def stored(conn: Connection, caller: str, key: str) -> Record | None:
    """(fingerprint, status, body) of the caller's key, or None."""
    return _STORED.first(conn, {"caller": caller, "key": key})


def forget_before(conn: Connection, before: datetime) -> int:
    """Delete keys created before `before`; returns how many."""
    deleted = conn.execute(sa.delete(idempotency_key_t).where(_c.created_at < before))
    return deleted.rowcount
