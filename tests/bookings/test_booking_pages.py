"""The booking pages as plain HTML forms: CSRF, honeypot, messages, moving a booking."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from skranke.queue.calendar import COPENHAGEN
from tests.bookings.conftest import Town

START = datetime(2027, 1, 5, 10, 0, tzinfo=COPENHAGEN).isoformat()
LATER = datetime(2027, 1, 6, 11, 0, tzinfo=COPENHAGEN).isoformat()
FORM = f"/book/lilleby/pas/form?start={quote(START)}"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found[1]


def fields(town: Town, **extra: str) -> dict[str, str]:
    csrf = csrf_of(town.client.get(FORM).text)
    values = {"csrf": csrf, "start": START, "name": "Niels Bohr", "email": "niels@example.dk"}
    return {**values, "consent": "yes", **extra}


def test_the_form_books_and_redirects_to_the_confirmation(town: Town) -> None:
    response = town.client.post(FORM, data=fields(town), follow_redirects=False)
    page = town.client.get(response.headers["location"])

    assert response.status_code == 303
    assert "Din tid er bestilt" in page.text
    assert "<svg" in page.text and "Husk" not in page.text


def test_a_form_without_the_csrf_token_is_refused_readably(town: Town) -> None:
    response = town.client.post(FORM, data=fields(town, csrf="forged"))

    assert response.status_code == 403
    assert "Siden var for gammel" in response.text


def test_a_filled_honeypot_books_nothing(town: Town) -> None:
    response = town.client.post(FORM, data=fields(town, website="http://spam.example"))

    assert response.status_code == 422
    assert START in [s["start"] for s in town.slots(**{"from": "2027-01-05", "to": "2027-01-06"})]


def test_missing_consent_and_contact_get_clear_danish_messages(town: Town) -> None:
    no_consent = town.client.post(FORM, data=fields(town, consent=""))
    no_contact = town.client.post(FORM, data=fields(town, email=""))

    assert "Sæt kryds" in no_consent.text
    assert "Skriv en e-mail eller et mobilnummer" in no_contact.text
    assert no_contact.status_code == 422


def test_a_taken_time_offers_the_nearest_free_times(town: Town) -> None:
    values = fields(town)
    town.book(START, email="foerst@example.dk")

    response = town.client.post(FORM, data=values)

    assert response.status_code == 409
    assert "Tiden blev taget af en anden" in response.text
    assert "10:30" in response.text


def test_english_pages_say_the_same_in_english(town: Town) -> None:
    response = town.client.get("/book?lang=en")

    assert "Book an appointment" in response.text
    assert 'lang="en"' in response.text


def test_moving_a_booking_frees_the_old_seat(town: Town) -> None:
    made = town.book(START).json()
    token = made["cancel_url"].rsplit("/", 1)[1]
    manage = town.client.get(f"/booking/{token}")
    form = town.client.get(f"/book/lilleby/pas/form?start={quote(LATER)}&move={token}")
    assert f'action="/booking/{token}/move"' in form.text

    moved = town.client.post(
        f"/booking/{token}/move",
        data={"csrf": csrf_of(manage.text), "start": LATER},
        follow_redirects=False,
    )

    assert moved.status_code == 303
    assert "Din tid er flyttet" in town.client.get(moved.headers["location"]).text
    free = [s["start"] for s in town.slots(**{"from": "2027-01-05", "to": "2027-01-07"})]
    assert START in free and LATER not in free


def test_a_forged_link_shows_a_readable_page(town: Town) -> None:
    response = town.client.get("/booking/not-a-token")

    assert response.status_code == 403
    assert "Linket er ugyldigt" in response.text
