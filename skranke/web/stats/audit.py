"""`/admin/audit`: the audit trail, filtered by ticket number, counter, staff member and time,
paged, and exported whole as CSV (read a page at a time while it streams)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from skranke.queue import audit_trail
from skranke.queue.accounts import Principal
from skranke.queue.errors import DomainError, InvalidInput
from skranke.web.endpoints import now_of
from skranke.web.sessions import csrf_token
from skranke.web.stats.common import manager, period
from skranke.web.templating import render

FIELDS = ("at", "branch", "source", "kind", "number", "counter", "user", "details")
EXPORT_PAGE = 1_000
MAX_TEXT = 60


def _int(text: str | None, name: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise InvalidInput(f"{name}: Expected a whole number, but got {text[:MAX_TEXT]!r}")
    return int(text)


def query_of(request: Request) -> tuple[audit_trail.Query, int]:
    """The filters and the page number (1 = newest) from the query string."""
    q = request.query_params
    branch, first, last = period(request, now_of(request.app))
    if not q.get("from"):
        first = last  # the trail starts at today, not at the month's start
    text = {k: (q.get(k) or "").strip()[:MAX_TEXT] or None for k in ("number", "user")}
    number = text["number"].upper() if text["number"] else None
    query = audit_trail.Query(
        branch,
        first,
        last,
        number,
        _int(q.get("counter"), "counter"),
        text["user"],
        q.get("what") or "all",
    )
    return query, _int(q.get("page"), "page") or 1


async def audit_page(request: Request) -> Response:
    who = manager(request)
    if isinstance(who, Response):
        return who
    db, now = request.app.state.db, now_of(request.app)
    context: dict[str, Any] = {"who": who, "csrf": csrf_token(request), "here": "audit"}
    context["staff"] = await db.read(audit_trail.staff_names, who.branch_ids)
    try:
        query, number = query_of(request)
        offset = (number - 1) * audit_trail.PAGE_SIZE
        rows, more = await db.read(
            audit_trail.rows, query, now, who.branch_ids, offset, audit_trail.PAGE_SIZE
        )
    except DomainError as problem:
        context["problem"] = problem
        return render(request, "stats/audit.html", context, status_code=400)
    context.update(filters=query, rows=rows, page=number, more=more, link=_link(query))
    return render(request, "stats/audit.html", context)


def _link(q: audit_trail.Query) -> Any:
    base = {
        "branch": q.branch or "",
        "from": q.first.isoformat(),
        "to": q.last.isoformat(),
        "number": q.number or "",
        "counter": "" if q.counter is None else str(q.counter),
        "user": q.user or "",
        "what": q.what,
    }

    def link(page: int | None = None) -> str:
        return urlencode({**base, **({"page": str(page)} if page else {})})

    return link


async def audit_csv(request: Request) -> Response:
    who = manager(request)
    if isinstance(who, Response):
        return who
    query, _ = query_of(request)
    first = await _read(request, who, query, 0)  # a bad branch is refused before streaming
    name = f"skranke-revisionsspor-{query.first}-{query.last}.csv"
    return StreamingResponse(
        _csv(request, who, query, first),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _read(
    request: Request, who: Principal, query: audit_trail.Query, offset: int
) -> tuple[list[dict[str, Any]], bool]:
    db, now = request.app.state.db, now_of(request.app)
    found: tuple[list[dict[str, Any]], bool] = await db.read(
        audit_trail.rows, query, now, who.branch_ids, offset, EXPORT_PAGE
    )
    return found


async def _csv(
    request: Request, who: Principal, query: audit_trail.Query, first: Any
) -> AsyncIterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    rows, more = first
    offset = 0
    while True:
        writer.writerows([r[k] if r[k] is not None else "" for k in FIELDS] for r in rows)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if not more:
            return
        offset += EXPORT_PAGE
        rows, more = await _read(request, who, query, offset)


def routes() -> list[Route]:
    return [
        Route("/admin/audit", audit_page, methods=["GET"]),
        Route("/admin/audit.csv", audit_csv, methods=["GET"]),
    ]
