"""The kiosk page: closed (opens when, book where), past the cut-off, and out of order."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from skranke.queue.accounts import principal_for_token
from skranke.store import Conn
from skranke.store.tables import device_t
from skranke.web.auth import TokenCache
from tests.hours.conftest import Hours, local, open_hours


def page_text(html: str) -> str:
    """What the screen shows: no tags, and not the texts handed to the script."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def deactivate(conn: Conn, key: str) -> None:
    conn.execute(sa.update(device_t).where(device_t.c.key == key).values(active=False))


def last_contact(conn: Conn, key: str) -> object:
    return conn.execute(
        sa.select(device_t.c.last_contact_at).where(device_t.c.key == key)
    ).scalar_one()


def test_tuesday_evening_the_kiosk_says_closed_opens_tomorrow_and_where_to_book(
    hours: Hours,
) -> None:
    page = hours.site.client.get("/kiosk/kiosk-1")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Vi har lukket" in text
    assert "Vi åbner igen i morgen kl. 10:00." in text
    assert "https://skranke.example/book" in text
    # No service buttons to press; checking in a booking still works.
    assert 'data-service="' not in page.text
    assert 'data-action="checkin"' in page.text


def test_the_closed_screen_in_english_and_arabic(hours: Hours) -> None:
    english = page_text(hours.site.client.get("/kiosk/kiosk-1?lang=en").text)
    assert "We are closed" in english and "We open again tomorrow at 10:00." in english
    arabic = hours.site.client.get("/kiosk/kiosk-1?lang=ar").text
    assert 'dir="rtl"' in arabic and "نفتح مرة أخرى" in arabic


def test_the_next_opening_is_named_tomorrow_or_by_weekday_and_date(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 11, 19, 0)) as hours:
        assert "Vi åbner igen i morgen kl. 10:00." in page_text(
            hours.site.client.get("/kiosk/kiosk-1").text
        )
        hours.at(local(2026, 12, 12, 15, 0))
        assert "Vi åbner igen mandag 14. december kl. 10:00." in page_text(
            hours.site.client.get("/kiosk/kiosk-1").text
        )
        hours.at(local(2026, 12, 23, 18, 0))
        english = page_text(hours.site.client.get("/kiosk/kiosk-1?lang=en").text)
        assert "We open again Monday 28 December at 10:00." in english


def test_past_the_cut_off_the_kiosk_says_book_a_time(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 8, 16, 45), {"cutoff_minutes": 30}) as hours:
        text = page_text(hours.site.client.get("/kiosk/kiosk-1").text)
        assert "Vi kan ikke nå dig i dag" in text
        assert "Bestil en tid" in text and "https://skranke.example/book" in text


def test_in_drop_in_hours_the_services_are_offered(hours: Hours) -> None:
    hours.at(local(2026, 12, 8, 11, 0))
    page = hours.site.client.get("/kiosk/kiosk-1")
    assert 'data-service="flytning"' in page.text
    assert "Vi har lukket" not in page_text(page.text)


def test_the_booking_qr_code_is_the_booking_address(hours: Hours) -> None:
    svg = hours.site.client.get("/qr/book.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")


def test_an_unknown_kiosk_shows_out_of_order_without_staff_instructions(hours: Hours) -> None:
    page = hours.site.client.get("/kiosk/no-such-kiosk")
    assert page.status_code == 404
    text = page_text(page.text)
    assert "Skærmen er ude af drift" in text and "Kontakt personalet" in text
    assert "token" not in text.lower() and "docs/" not in text
    assert "<button" not in page.text and "<a " not in page.text


def test_a_deactivated_kiosk_is_refused_and_shows_out_of_order(hours: Hours) -> None:
    hours.at(local(2026, 12, 8, 11, 0))
    assert hours.site.post_ticket("laan").status_code == 201
    kiosk = hours.site.read(principal_for_token, hours.site.creds.kiosk_token)
    hours.site.write(deactivate, "kiosk-1")
    # The token cache forgets the device when told (the admin pages do on deactivate/rotate).
    cache: TokenCache = hours.site.app.state.tokens
    cache.forget_device(kiosk.device_id)
    refused = hours.site.post_ticket("laan")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Unknown or revoked token"
    status = hours.site.client.get("/api/v1/kiosks/kiosk-1/status", headers=hours.site.kiosk)
    assert status.status_code == 401
    page = hours.site.client.get("/kiosk/kiosk-1")
    assert page.status_code == 403
    assert "Skærmen er ude af drift" in page_text(page.text)


def test_a_deactivated_display_token_is_refused(hours: Hours) -> None:
    token = hours.site.creds.display_token
    assert hours.site.read(principal_for_token, token) is not None
    hours.site.write(deactivate, "display-1")
    assert hours.site.read(principal_for_token, token) is None


def test_the_kiosk_contact_is_recorded_at_most_once_a_minute(hours: Hours) -> None:
    hours.at(local(2026, 12, 8, 11, 0))
    assert hours.site.read(last_contact, "kiosk-1") is None
    first = hours.clock.now
    assert hours.site.post_ticket("laan").status_code == 201
    assert hours.site.read(last_contact, "kiosk-1") == first
    hours.at(first + timedelta(seconds=20))
    assert hours.site.post_ticket("laan").status_code == 201
    # Within the minute: not written again (the ticket path stays one transaction).
    assert hours.site.read(last_contact, "kiosk-1") == first
