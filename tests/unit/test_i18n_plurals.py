"""Texts with a count take the plural form of their language, by CLDR's rules through Babel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.core import Locale

from skranke.web.i18n import ngettext, plural_form

LOCALE = Path(__file__).parents[2] / "skranke" / "web" / "locale"
COUNTS = (0, 1, 2, 5, 21, 22)
FORMS = ("zero", "one", "two", "few", "many", "other")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("da", ["other", "one", "other", "other", "other", "other"]),
        ("en", ["other", "one", "other", "other", "other", "other"]),
        ("uk", ["many", "one", "few", "many", "one", "few"]),
        ("pl", ["many", "one", "few", "many", "many", "few"]),
        ("ar", ["zero", "one", "two", "few", "many", "many"]),
    ],
)
def test_each_language_counts_by_its_own_rules(lang: str, expected: list[str]) -> None:
    assert [plural_form(lang, n) for n in COUNTS] == expected


def test_danish_says_one_free_time_and_many_free_times() -> None:
    said = [ngettext("da", "book.free_times", n) for n in COUNTS]

    assert said == [
        "0 ledige tider",
        "1 ledig tid",
        "2 ledige tider",
        "5 ledige tider",
        "21 ledige tider",
        "22 ledige tider",
    ]


def test_english_says_one_seat_left() -> None:
    assert [ngettext("en", "book.seats_left", n) for n in (1, 2)] == [
        "1 seat left",
        "2 seats left",
    ]


def test_ukrainian_uses_one_few_and_many() -> None:
    said = [ngettext("uk", "book.minutes", n) for n in COUNTS]

    assert said == [
        "0 хвилин",
        "1 хвилина",
        "2 хвилини",
        "5 хвилин",
        "21 хвилина",
        "22 хвилини",
    ]


def test_polish_says_osoba_osoby_osob() -> None:
    said = [ngettext("pl", "ticket.waiting_ahead", n).split(".")[0] for n in COUNTS]

    assert said == [
        "Przed Tobą jest 0 osób",
        "Przed Tobą jest 1 osoba",
        "Przed Tobą są 2 osoby",
        "Przed Tobą jest 5 osób",
        "Przed Tobą jest 21 osób",
        "Przed Tobą są 22 osoby",
    ]


def test_arabic_has_a_dual_and_a_form_for_few() -> None:
    said = [ngettext("ar", "book.free_times", n) for n in COUNTS]

    assert said == [
        "لا توجد مواعيد متاحة",
        "1 موعد متاح",
        "موعدان متاحان",
        "5 مواعيد متاحة",
        "21 موعدًا متاحًا",
        "22 موعدًا متاحًا",
    ]


def test_a_language_without_the_text_falls_back_with_the_fallbacks_rules() -> None:
    # Polish has no booking pages: English stands in, counted the English way.
    assert ngettext("pl", "book.free_times", 5) == "5 free times"
    assert ngettext("pl", "book.free_times", 1) == "1 free time"


def test_more_values_fill_the_text_beside_the_count() -> None:
    assert ngettext("da", "counter.recalls", 3) == "Kaldt igen 3 gange"
    assert ngettext("da", "counter.recalls", 1) == "Kaldt igen 1 gang"


def plural_keys(lang: str) -> dict[str, set[str]]:
    """Each text with plural forms in `lang` (`key.one`, `key.other` ...) -> its forms."""
    found: dict[str, set[str]] = {}
    for path in (LOCALE / lang).glob("*.json"):
        for key in json.loads(path.read_text(encoding="utf-8")):
            base, _, form = key.rpartition(".")
            if form in FORMS:
                found.setdefault(base, set()).add(form)
    # "error.other" alone is a text of its own ("something went wrong"), not a plural.
    return {base: forms for base, forms in found.items() if "other" in forms and len(forms) > 1}


@pytest.mark.parametrize("lang", sorted(p.name for p in LOCALE.iterdir() if p.is_dir()))
def test_every_counted_text_has_every_form_its_language_needs(lang: str) -> None:
    needed = set(Locale.parse(lang).plural_form.tags) | {"other"}

    missing = {base: sorted(needed - forms) for base, forms in plural_keys(lang).items()}

    assert {base: forms for base, forms in missing.items() if forms} == {}
