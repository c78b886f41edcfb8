"""A branch's own rules over the server's: the administration's policy page sets them.

Each is None until a branch sets it, and then the server's SKRANKE_* setting applies. Read
where a rule is used (calling, recalling, forecasting), so a change applies at the next call.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from skranke.queue.views import QueuePolicy
from skranke.store import Conn
from skranke.store import branches as branch_store


def for_branch(conn: Conn, branch_id: int, base: QueuePolicy) -> QueuePolicy:
    row = branch_store.policy(conn, branch_id)
    if row is None:
        return base
    routing = base.routing
    if row.overflow_threshold_minutes is not None:
        routing = replace(
            routing, overflow_threshold=timedelta(minutes=row.overflow_threshold_minutes)
        )
    if row.booking_call_window_minutes is not None:
        routing = replace(
            routing, booking_window=timedelta(minutes=row.booking_call_window_minutes)
        )
    recall_limit = base.recall_limit if row.recall_limit is None else row.recall_limit
    # The cut-off is applied where tickets are issued (queue.opening reads it with the hours).
    return replace(base, routing=routing, recall_limit=recall_limit)
