"""Every page text exists in each language the page is offered in, with the same blanks."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from skranke.queue.states import BOOKING_LANGUAGES

LOCALE = Path(__file__).parents[2] / "skranke" / "web" / "locale"
AREAS = sorted(p.stem for p in (LOCALE / "da").glob("*.json"))


def texts(lang: str, area: str) -> dict[str, str]:
    path = LOCALE / lang / f"{area}.json"
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return loaded


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("area", AREAS)
def test_english_has_every_danish_text_with_the_same_blanks(area: str) -> None:
    da, en = texts("da", area), texts("en", area)

    assert sorted(set(da) - set(en)) == []
    assert {k: blanks(v) for k, v in da.items()} == {k: blanks(en[k]) for k in da}


@pytest.mark.parametrize("lang", [lang for lang in BOOKING_LANGUAGES if lang not in ("da", "en")])
def test_the_booking_pages_are_whole_in_every_booking_language(lang: str) -> None:
    # The staff's booking form is Danish and English only; everything a citizen sees is here.
    citizen = {k: v for k, v in texts("da", "booking").items() if not k.startswith("book.staff.")}
    own = texts(lang, "booking")

    assert sorted(set(citizen) - set(own)) == []
    assert {k: blanks(v) for k, v in citizen.items()} == {k: blanks(own[k]) for k in citizen}
    untranslated = [k for k, v in citizen.items() if own[k] == texts("en", "booking")[k]]
    assert untranslated == []
    assert set(texts("da", "site")) & {"site.name", "site.skip_to_content"} <= set(
        texts(lang, "site")
    )
