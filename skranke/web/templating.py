"""Jinja2 page rendering with the request's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from skranke.queue.states import PAGE_LANGUAGES
from skranke.web.i18n import LANGUAGE_NAMES, RTL, ngettext, pick_language, translator

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LANG_COOKIE = "skranke_lang"


@pass_context
def _ngettext(context: Context, key: str, n: int, **params: object) -> str:
    # `{{ ngettext("book.free_times", n) }}`: the plural form of the page's own language.
    return ngettext(context["lang"], key, n, **params)


templates.env.globals["ngettext"] = _ngettext


def language(request: Request, allowed: tuple[str, ...] = PAGE_LANGUAGES) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language", ""),
        allowed,
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    lang: str | None = None,
    status_code: int = 200,
    languages: tuple[str, ...] = PAGE_LANGUAGES,
) -> HTMLResponse:
    lang = lang or language(request, languages)
    values = {
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "_": translator(lang),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in languages],
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
