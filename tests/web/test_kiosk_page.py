"""The kiosk page and its QR codes, as served (the browser tests drive it for real)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy.engine import Connection

from skranke.demo import demo_setup
from skranke.queue.views import local_name
from skranke.store.tables import service_t
from skranke.web.kiosk import wait_text
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
    box = page[page.index('<ul class="kiosk-booking-list">') :]
    listed = re.findall(r"<li><bdi>([^<]+)</bdi></li>", box[: box.index("</ul>")])
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


def test_service_names_come_from_the_database_and_fall_back_to_danish_then_english() -> None:
    names = {"uk": "Зміна адреси"}
    assert local_name("uk", "Flytning", "Change of address", names) == "Зміна адреси"
    # No Turkish name set: the Danish one, as on the signs in the building.
    assert local_name("tr", "Flytning", "Change of address", names) == "Flytning"
    assert local_name("tr", "", "Dog tax", {}) == "Dog tax"
    assert local_name("en", "Flytning", "Change of address", names) == ("Change of address")
    assert local_name("da", "Flytning", "Change of address", names) == "Flytning"


@pytest.mark.parametrize("lang", ["uk", "ar", "pl", "tr"])
def test_every_demo_errand_is_named_from_the_database_in_the_kiosk_language(
    demo: Site, lang: str
) -> None:
    errands = [s for b in demo_setup(None).branches for s in b.services]
    page = demo.client.get(f"/kiosk/kiosk-1?lang={lang}").text

    for errand in errands:
        assert str(escape(errand.names[lang])) in page, errand.key
        # "Driving licence – renewal", "IT course: MitID ...": no English name on the screen.
        assert str(escape(errand.name_en)) not in page, errand.key


def test_a_name_changed_in_the_administration_shows_on_the_kiosk(demo: Site) -> None:
    def rename(conn: Connection) -> None:
        names = {"uk": "Нова адреса", "ar": "عنوان جديد"}
        conn.execute(sa.update(service_t).where(service_t.c.key == "flytning").values(names=names))

    demo.write(rename)

    assert "Нова адреса" in demo.client.get("/kiosk/kiosk-1?lang=uk").text
    # Polish has no name any more: the Danish one stands in, never a catalogue text.
    polish = demo.client.get("/kiosk/kiosk-1?lang=pl").text
    assert "Zmiana adresu" not in polish
    assert '<span class="kiosk-service-name" dir="auto">Flytning</span>' in polish


@pytest.mark.parametrize(
    ("waiting", "minutes", "span", "wanted"),
    [
        (0, 0, None, "Ingen kø"),
        (3, 12, None, "3 venter · ca. 12 min."),
        (3, 12, (10, 15), "3 venter · ca. 10–15 min."),
        (2, 3, (0, 5), "2 venter · under 5 min."),
        # The estimate rounds to nothing, but people are ahead: never "0 min".
        (1, 0, None, "1 venter · kort ventetid"),
    ],
)
def test_the_wait_on_a_button_is_a_range_where_the_estimator_gives_one(
    waiting: int, minutes: int, span: tuple[int, int] | None, wanted: str
) -> None:
    assert wait_text("da", waiting, minutes, span) == wanted


def test_the_kiosk_shows_no_staff_instructions(demo: Site) -> None:
    for page in (
        demo.client.get("/kiosk/kiosk-1").text,
        demo.client.get("/kiosk/no-such-kiosk").text,
    ):
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
        assert "Personale:" not in text and "docs/" not in text and "token" not in text.lower()


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
