"""The audit trail of the administration: who changed what, when, old -> new.

Rows are only ever added. Secrets (passwords, tokens) never reach this module: the callers in
`skranke.queue.administration` leave them out of `changes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

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
