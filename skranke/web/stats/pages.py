"""`/admin/stats`: the figures as charts and tables, and their CSV and XLSX exports.

Each handler asks `queue.statistics` once (through `db.read`) and renders or exports what it
got; the ticket rows are read a page at a time while they stream out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from skranke.queue import statistics, statistics_rows
from skranke.queue.accounts import Principal
from skranke.queue.errors import DomainError, Forbidden, InvalidInput, NotFound
from skranke.store import statistics_names as stats_store
from skranke.web.endpoints import now_of
from skranke.web.i18n import catalogue
from skranke.web.sessions import csrf_token
from skranke.web.stats import audit, charts, exports, supervisor
from skranke.web.stats.common import manager, number, period
from skranke.web.templating import language, render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(branch: str | None, first: Any, last: Any) -> str:
    return urlencode({"branch": branch or "", "from": str(first), "to": str(last)})


def page_context(request: Request, who: Principal, found: dict[str, Any]) -> dict[str, Any]:
    lang = language(request)

    def fmt(value: Any, digits: int = 1) -> str:
        return number(value, lang, digits)

    def name(s: dict[str, Any]) -> str:
        label: str = s["name"][lang]
        return f"{label} ({s['branch']})" if len(found["branches"]) > 1 else label

    services = found["services"]
    texts = {**catalogue("da"), **catalogue(lang)}

    def head(column: str) -> str:
        return texts.get(f"stats.col.{column}", column)

    def label(value: Any, column: str = "") -> str:
        if value is None:
            return "–"
        if column == "weekday":
            return texts[f"stats.weekday_{value}"]
        return texts.get(f"stats.val.{value}", str(value))

    return {
        "head": head,
        "label": label,
        "weekdays": [texts[f"stats.weekday_{d}"] for d in range(7)],
        "query": _query(found["branch"], found["from"], found["to"]),
        "who": who,
        "csrf": csrf_token(request),
        "f": found,
        "fmt": fmt,
        "name": name,
        "tables": {t.name: t for t in exports.tables(found)},
        "chart_tickets": charts.stacked(services, name, fmt),
        "chart_waits": charts.waits(services, name, fmt),
        "chart_shares": charts.shares(services, name, fmt),
        "heat": charts.heat(found["heatmap"]),
        "trend": charts.trend(found["days"], fmt),
    }


async def _choices(request: Request, who: Principal) -> list[Any]:
    rows: list[Any] = await request.app.state.db.read(stats_store.visible_branches, who.branch_ids)
    return rows


def _failed(request: Request, who: Principal, problem: DomainError, choices: list[Any]) -> Response:
    status = {InvalidInput: 400, Forbidden: 403, NotFound: 404}.get(type(problem), 400)
    context = {"who": who, "csrf": csrf_token(request), "choices": choices, "problem": problem}
    return render(request, "stats/stats.html", context, status_code=status)


async def stats_page(request: Request) -> Response:
    who = manager(request)
    if isinstance(who, Response):
        return who
    db, now = request.app.state.db, now_of(request.app)
    choices = await _choices(request, who)
    try:
        branch, first, last = period(request, now)
        found = await db.read(statistics.figures, branch, first, last, now, who.branch_ids)
    except DomainError as problem:
        return _failed(request, who, problem, choices)
    context = page_context(request, who, found)
    context["choices"] = choices
    return render(request, "stats/stats.html", context)


async def _figures(request: Request) -> dict[str, Any] | Response:
    who = manager(request)
    if isinstance(who, Response):
        return who
    db, now = request.app.state.db, now_of(request.app)
    branch, first, last = period(request, now)
    found: dict[str, Any] = await db.read(
        statistics.figures, branch, first, last, now, who.branch_ids
    )
    return found


def _download(body: Any, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if isinstance(body, (str, bytes)):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)


async def figures_csv(request: Request) -> Response:
    found = await _figures(request)
    if isinstance(found, Response):
        return found
    name = f"skranke-statistik-{found['from']}-{found['to']}.csv"
    return _download(exports.figures_csv(found), "text/csv; charset=utf-8", name)


async def figures_xlsx(request: Request) -> Response:
    found = await _figures(request)
    if isinstance(found, Response):
        return found
    name = f"skranke-statistik-{found['from']}-{found['to']}.xlsx"
    return _download(exports.figures_xlsx(found), XLSX, name)


def row_reader(request: Request, who: Principal) -> tuple[exports.Page, str]:
    """Reads the ticket rows a page at a time; checks the period and branch up front."""
    db, now = request.app.state.db, now_of(request.app)
    branch, first, last = period(request, now)

    async def read(after: int) -> Any:
        return await db.read(
            statistics_rows.ticket_rows,
            branch,
            first,
            last,
            now,
            who.branch_ids,
            after,
        )

    return read, f"skranke-billetter-{first}-{last}"


async def tickets_export(request: Request) -> Response:
    who = manager(request)
    if isinstance(who, Response):
        return who
    if request.path_params["kind"] not in ("csv", "xlsx"):
        return render(request, "stats/message.html", {"who": who, "status": 404}, status_code=404)
    read, name = row_reader(request, who)
    # The first page is read before the answer starts, so a bad branch is a 403/404 page.
    first_rows = await read(0)
    if request.path_params["kind"] == "xlsx":
        return _download(await exports.ticket_xlsx(_replay(first_rows, read)), XLSX, f"{name}.xlsx")
    body = exports.ticket_csv(_replay(first_rows, read))
    return _download(body, "text/csv; charset=utf-8", f"{name}.csv")


def _replay(first: Any, read: exports.Page) -> exports.Page:
    async def again(after: int) -> Any:
        return first if after == 0 else await read(after)

    return again


def routes() -> list[Route]:
    return [
        Route("/admin/stats", stats_page, methods=["GET"]),
        Route("/admin/stats.csv", figures_csv, methods=["GET"]),
        Route("/admin/stats.xlsx", figures_xlsx, methods=["GET"]),
        Route("/admin/stats/tickets.{kind:str}", tickets_export, methods=["GET"]),
        *supervisor.routes(),
        *audit.routes(),
    ]
