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
    form = town.client.get(f"/book/lilleby/pas/form?start={quote(LATER)}&move={token}")
    assert f'action="/booking/{token}/move"' in form.text

    moved = town.client.post(
        f"/booking/{token}/move",
        data={"csrf": csrf_of(form.text), "start": LATER},
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


def test_an_empty_form_names_every_missing_field_at_once_beside_each_field(town: Town) -> None:
    # Only "Skriv dit navn." used to come back, then the next error on the next try.
    response = town.client.post(FORM, data=fields(town, name="", email="", consent=""))
    html = response.text

    assert response.status_code == 422
    for message in ("Skriv dit navn.", "Skriv en e-mail eller et mobilnummer", "Sæt kryds"):
        assert html.count(message) == 2  # in the summary and beside its field
    assert '<a href="#name">' in html and '<a href="#consent">' in html
    assert re.search(r'id="name"[^>]*aria-describedby="name-error"[^>]*aria-invalid="true"', html)
    assert 'id="consent-error"' in html


def test_a_bad_email_and_a_bad_phone_are_both_named(town: Town) -> None:
    response = town.client.post(FORM, data=fields(town, email="niels@", phone="12"))

    assert "Skriv en gyldig e-mailadresse" in response.text
    assert "Skriv et mobilnummer med 8 cifre" in response.text


def test_cancelling_asks_first_and_only_the_answer_cancels(town: Town) -> None:
    made = town.book(START).json()
    token = made["cancel_url"].rsplit("/", 1)[1]

    manage = town.client.get(f"/booking/{token}")
    question = town.client.get(f"/booking/{token}/cancel")
    still = [s["start"] for s in town.slots(**{"from": "2027-01-05", "to": "2027-01-06"})]
    answer = town.client.post(
        f"/booking/{token}/cancel", data={"csrf": csrf_of(question.text)}, follow_redirects=False
    )

    assert f'href="/booking/{token}/cancel"' in manage.text
    assert "Vil du aflyse tiden?" in question.text and "Ja, aflys tiden" in question.text
    assert START not in still  # asking did not cancel
    assert answer.status_code == 303
    assert "Tiden er aflyst" in town.client.get(answer.headers["location"]).text


def test_a_wrong_address_says_so_in_danish_without_developer_text(town: Town) -> None:
    unknown = town.client.get("/book/lilleby/nope?lang=da")
    bad_day = town.client.get("/book/lilleby/pas/2027-13-45?lang=da")

    assert unknown.status_code == 404 and "Vi kender ikke det ærinde" in unknown.text
    assert bad_day.status_code == 404 and "Den dag findes ikke" in bad_day.text
    for page in (unknown.text, bad_day.text):
        assert "Expected" not in page and "YYYY" not in page and "nope" not in page
