"""Page texts per language from JSON catalogues: `locale/<lang>/<area>.json`.

Each feature keeps its own file, so pages can be worked on side by side. Danish is the
source language; English must be complete (a test checks); kiosk languages may fall back.

A text with a count has one entry per plural form of its language, `key.one`, `key.other`
(and `key.few`, `key.many`, `key.two`, `key.zero` where the language has them); `ngettext`
picks the form by the language's CLDR rules through Babel.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

from babel.core import Locale

from skranke.queue.states import RTL_LANGUAGES

LOCALE = Path(__file__).parent / "locale"
RTL = RTL_LANGUAGES
LANGUAGE_NAMES = {
    "da": "Dansk",
    "en": "English",
    "uk": "Українська",
    "ar": "العربية",
    "pl": "Polski",
    "tr": "Türkçe",
}


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in sorted((LOCALE / lang).glob("*.json")):
        messages.update(json.loads(path.read_text(encoding="utf-8")))
    return messages


def translator(lang: str) -> Callable[..., str]:
    own = catalogue(lang)
    fallbacks = (
        [catalogue("en"), catalogue("da")] if lang not in ("da", "en") else [catalogue("da")]
    )

    def gettext(key: str, **values: object) -> str:
        text = own.get(key)
        if text is None:
            text = next((c[key] for c in fallbacks if key in c), key)
        return text.format(**values) if values else text

    return gettext


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_form(lang: str, n: int) -> str:
    """The CLDR plural category of `n` in `lang`: "one", "few", "many", "other" ..."""
    return str(_locale(lang).plural_form(abs(n)))


def ngettext(lang: str, key: str, n: int, **params: object) -> str:
    """The text `key` for the count `n` in `lang`, e.g. "1 ledig tid", "5 ledige tider",
    "21 вільний час", "22 вільні часи"; `{count}` in the text is `n`.

    A language without its own entry falls back like `translator`, and then the fallback's
    own rules choose the form: "5 free times", never an English text in a Ukrainian form.
    """
    values = {"count": n, **params}
    chain = [lang] + (["en", "da"] if lang not in ("da", "en") else ["da"])
    for code in chain:
        texts = catalogue(code)
        form = plural_form(code, n)
        # "other" stands in for a form a translation left out.
        text = texts.get(f"{key}.{form}") or texts.get(f"{key}.other")
        if text is not None:
            return text.format(**values)
    return key


def pick_language(
    query: str | None, cookie: str | None, accept: str, allowed: tuple[str, ...]
) -> str:
    """?lang= wins, then the remembered choice, then the browser's wish, then Danish."""
    for candidate in (query, cookie):
        if candidate in allowed:
            return candidate
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in allowed:
            return code
    return "da"
