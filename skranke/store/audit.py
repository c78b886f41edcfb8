"""The audit trail of the administration: who changed what, when, old -> new.

Rows are only ever added. Secrets (passwords, tokens) never reach this module: the callers in
`skranke.queue.administration` leave them out of `changes`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.prepared import Record
from skranke.store.tables import audit_t


def record(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    actor_id: int | None,
    branch_id: int | None,
    entity: str,
    entity_key: str,
    action: str,
    changes: Mapping[str, Any],
) -> None:
    conn.execute(
        sa.insert(audit_t).values(
            at=at,
            actor=actor[:60],
            actor_id=actor_id,
            branch_id=branch_id,
            entity=entity,
            entity_key=entity_key[:80],
            action=action,
            changes=dict(changes),
        )
    )


def trail(
    conn: Connection,
    *,
    branch_ids: Collection[int] | None = None,
    entity: str | None = None,
    entity_key: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[Record]:
    """Newest first. `branch_ids` limits to those branches (a manager's view; rows about staff
    carry no branch and are then left out); page on with `before_id` = the last row's id."""
    query = sa.select(audit_t).order_by(audit_t.c.id.desc()).limit(limit)
    if branch_ids is not None:
        query = query.where(audit_t.c.branch_id.in_(list(branch_ids)))
    if entity is not None:
        query = query.where(audit_t.c.entity == entity)
    if entity_key is not None:
        query = query.where(audit_t.c.entity_key == entity_key)
    if actor is not None:
        query = query.where(audit_t.c.actor == actor)
    if since is not None:
        query = query.where(audit_t.c.at >= since)
    if until is not None:
        query = query.where(audit_t.c.at < until)
    if before_id is not None:
        query = query.where(audit_t.c.id < before_id)
    return list(conn.execute(query))
