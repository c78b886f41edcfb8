"""Read endpoints behind the counter page: what a counter shows, for scripts and tests too.

The page itself gets the same data pushed over `/ws/counter/{counter}`; these answer once.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from skranke.displays import snapshots
from skranke.queue.errors import Forbidden
from skranke.web.auth import STAFF, caller
from skranke.web.endpoints import Endpoint, ctx, json
from skranke.web.live_sockets import counter_branch


async def counter_status(request: Request) -> Response:
    """The counter, its current and parked tickets, its queues and the first in line."""
    db, policy, now = ctx(request)
    counter_id: int = request.path_params["counter"]
    branch_id = await db.read(counter_branch, counter_id)
    if branch_id is not None and not caller(request).may_use_branch(branch_id):
        raise Forbidden(f"Counter {counter_id} is at a branch you do not work at")
    found = await db.read(snapshots.counter_snapshot, counter_id, now, policy)
    return json(found, of=dict[str, Any])


LIVE_ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/v1/counters/{counter:id}/status",
        counter_status,
        "What a counter shows: its current and parked tickets, its queues, the first in line",
        STAFF,
        None,
        dict[str, Any],
        errors=(401, 403, 404),
    ),
]
