"""`GET /api/v1/stats?branch=&from=&to=` and its `.csv` twin (DESIGN §6): the figures.

For administrators (every branch) and managers (theirs: another branch is a 403, an unknown
one a 404); the period is local days, this month by default.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from skranke.queue import statistics
from skranke.web.auth import MANAGER, caller
from skranke.web.endpoints import Endpoint, ctx, json
from skranke.web.stats.common import period
from skranke.web.stats.exports import figures_csv


async def figures_of(request: Request) -> dict[str, Any]:
    db, _, now = ctx(request)
    branch, first, last = period(request, now)
    allowed = caller(request).branch_ids
    found: dict[str, Any] = await db.read(statistics.figures, branch, first, last, now, allowed)
    return found


async def stats(request: Request) -> Response:
    return json(await figures_of(request), of=dict[str, Any])


async def stats_csv(request: Request) -> Response:
    found = await figures_of(request)
    name = f"skranke-stats-{found['from']}-{found['to']}.csv"
    return Response(
        figures_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


STATS_ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/v1/stats",
        stats,
        "Statistics of a branch (or all) over local days: ?branch=&from=&to= (docs/statistics.md)",
        MANAGER,
        None,
        dict[str, Any],
        errors=(401, 403, 404, 422),
    ),
    Endpoint(
        "GET",
        "/api/v1/stats.csv",
        stats_csv,
        "The same figures as CSV: section, item, measure, value",
        MANAGER,
        None,
        str,
        errors=(401, 403, 404, 422),
    ),
]
