"""Page texts per language from JSON catalogues: `locale/<lang>/<area>.json`.

Each feature keeps its own file, so pages can be worked on side by side. Danish is the
source language; English must be complete (a test checks); kiosk languages may fall back.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

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
