"""`/supervisor`: the live view of a branch for its manager, following /ws/supervisor/{branch}.

The page starts empty and fills from the socket's snapshot; texts reach the script as JSON.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from skranke.store import statistics_names as stats_store
from skranke.web.i18n import catalogue
from skranke.web.sessions import csrf_token
from skranke.web.stats.common import manager
from skranke.web.templating import language, render


def texts(lang: str) -> dict[str, str]:
    merged = {**catalogue("da"), **catalogue(lang)}
    return {k: v for k, v in merged.items() if k.startswith(("supervisor.", "live."))}


async def supervisor_page(request: Request) -> Response:
    who = manager(request)
    if isinstance(who, Response):
        return who
    choices = await request.app.state.db.read(stats_store.visible_branches, who.branch_ids)
    key = request.query_params.get("branch") or (choices[0].key if len(choices) == 1 else "")
    chosen = next((b for b in choices if b.key == key), None)
    context = {"who": who, "csrf": csrf_token(request), "choices": choices, "here": "supervisor"}
    if chosen is None:
        status = 404 if key else 200
        return render(request, "stats/supervisor_pick.html", context, status_code=status)
    lang = language(request)
    config = {"branch": chosen.key, "lang": lang, "texts": texts(lang)}
    context.update(branch=chosen, config=config, query=f"branch={chosen.key}")
    return render(request, "stats/supervisor.html", context)


def routes() -> list[Route]:
    return [Route("/supervisor", supervisor_page, methods=["GET"])]
