"""The kiosk page and its QR codes, as served (the browser tests drive it for real)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skranke.web.kiosk import service_name
from tests.site import Site


def test_kiosk_page_groups_services_and_marks_those_that_need_a_booking(demo: Site) -> None:
    response = demo.client.get("/kiosk/kiosk-1")

    page = response.text
    assert response.status_code == 200
    assert '<html lang="da" dir="ltr">' in page
    assert page.index(">Bibliotek<") < page.index(">Borgerservice<")
    assert 'data-service="flytning"' in page and 'data-service="laan"' in page
    # Passport needs a booking: shown, but no button to tap.
    assert 'data-service="pas"' not in page
    services = demo.client.get("/api/v1/branches/hovedbiblioteket/services").json()
    booked = [s["name"]["da"] for s in services if not s["walk_in"]]
    listed = re.findall(r'<li class="kiosk-service--booking"><bdi>([^<]+)</bdi>', page)
    assert "Pas" in booked and sorted(listed) == sorted(booked)
    assert "Kræver tidsbestilling" in page
    assert response.headers["cache-control"] == "no-store"


def test_kiosk_page_in_arabic_is_right_to_left_with_translated_services(demo: Site) -> None:
    page = demo.client.get("/kiosk/kiosk-1?lang=ar").text

    assert '<html lang="ar" dir="rtl">' in page
    assert "تغيير العنوان" in page  # flytning
    assert 'lang="da" dir="auto">Flytning</span>' in page


@pytest.mark.parametrize("lang", ["da", "en", "uk", "ar", "pl", "tr"])
def test_every_kiosk_language_has_every_kiosk_text(lang: str) -> None:
    import json

    locale = Path(__file__).resolve().parents[2] / "skranke" / "web" / "locale"
    danish = json.loads((locale / "da" / "kiosk.json").read_text(encoding="utf-8"))
    own = json.loads((locale / lang / "kiosk.json").read_text(encoding="utf-8"))

    assert set(danish) - set(own) == set()
    assert all(own[key].count("{") == danish[key].count("{") for key in danish)


def test_service_names_fall_back_to_english_where_no_translation_exists() -> None:
    assert service_name("uk", "flytning", "Flytning", "Change of address") == "Зміна адреси"
    assert service_name("uk", "hundeskat", "Hundeskat", "Dog tax") == "Dog tax"
    assert service_name("da", "flytning", "Flytning", "Change of address") == "Flytning"


@pytest.mark.parametrize("path", ["/kiosk/display-1", "/kiosk/no-such-kiosk"])
def test_a_page_for_something_that_is_no_kiosk_is_a_404(demo: Site, path: str) -> None:
    assert demo.client.get(path).status_code == 404


def test_qr_code_is_an_svg_of_the_phone_page_link(demo: Site) -> None:
    response = demo.client.get("/qr/t/7f3a9cAbcdEf_-12.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg") or response.text.startswith("<?xml")
    assert "immutable" in response.headers["cache-control"]


def test_qr_codes_are_made_only_for_tracking_tokens(demo: Site) -> None:
    assert demo.client.get("/qr/t/a%20b%3Cscript%3E.svg").status_code == 404
