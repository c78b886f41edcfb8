"""The phone page's "send me an SMS when I am third", tried as a citizen would: a form, no
script; the SMS through the demo's SMS outbox (LogSmsGateway), once, in the page's language."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skranke.queue.states import LANGUAGES, TicketSource
from skranke.queue.tickets import issue_ticket, transfer
from skranke.queue.views import QueuePolicy
from skranke.store import Conn
from tests.site import Site, in_process, tracking_of
from tests.ticket_sms.conftest import PHONE, contact_rows

LOCALE = Path(__file__).parents[2] / "skranke" / "web" / "locale"


def text(lang: str, key: str, **values: str) -> str:
    catalogue = json.loads((LOCALE / lang / "live.json").read_text(encoding="utf-8"))
    return str(catalogue[key]).format(**values)


@pytest.fixture
def demo(sqlite_db: str) -> Iterator[Site]:
    # No scheduled jobs: every SMS here is sent by a request, so the tests see exactly when.
    with in_process(sqlite_db, jobs_enabled=False) as site:
        yield site


def sms_sent(site: Site) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = site.app.state.notifier.sms.sent
    return sent


def kiosk_ticket(site: Site, language: str = "da") -> str:
    response = site.client.post(
        f"/api/v1/branches/{site.branch}/tickets",
        json={"service": "flytning", "language": language},
        headers=site.kiosk,
    )
    assert response.status_code == 201, response.text
    return tracking_of(response.json())


def ask(site: Site, tracking: str, phone: str, lang: str = "da") -> str:
    response = site.client.post(
        f"/t/{tracking}/sms?lang={lang}", data={"phone": phone}, follow_redirects=True
    )
    assert response.status_code == 200, response.text
    return response.text


def call(site: Site, counter: int) -> str:
    """The counter calls the next citizen and starts serving them; the number called."""
    called = site.call_next(counter)
    served = site.client.post(f"/api/v1/tickets/{called['id']}/serve", headers=site.staff)
    assert served.status_code == 200, served.text
    return str(called["number"])


@pytest.fixture
def any_demo(database_url: str) -> Iterator[Site]:
    # The whole way once on PostgreSQL as well.
    with in_process(database_url, jobs_enabled=False) as site:
        yield site


def test_the_sms_goes_out_once_when_the_ticket_becomes_third(any_demo: Site) -> None:
    demo = any_demo
    tracking = [kiosk_ticket(demo) for _ in range(5)]

    page = demo.client.get(f"/t/{tracking[4]}").text
    asked = ask(demo, tracking[4], "12 34 56 78")
    first = call(demo, 1)
    before_third = list(sms_sent(demo))
    call(demo, 2)
    at_third = list(sms_sent(demo))
    call(demo, 5)
    call(demo, 1)
    after = demo.client.get(f"/t/{tracking[4]}").text

    assert text("da", "ticket.sms_submit") in page and 'type="tel"' in page
    assert text("da", "ticket.sms_on", digits="5678") in asked
    assert first == "F001" and before_third == []
    ((to, message),) = at_third
    assert to == PHONE and "F005" in message and "Du er snart på tur" in message
    assert len(message) <= 160
    assert sms_sent(demo) == at_third  # never a second time
    assert text("da", "ticket.sms_sent", digits="5678") in after


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sms_is_in_the_language_of_the_page(demo: Site, language: str) -> None:
    tracking = [kiosk_ticket(demo, language) for _ in range(4)]

    page = demo.client.get(f"/t/{tracking[3]}").text  # the ticket's language, no ?lang=
    ask(demo, tracking[3], "+48 501 234 567", language)
    call(demo, 1)

    assert text(language, "ticket.sms_heading") in page
    ((to, message),) = sms_sent(demo)
    assert to == "+48501234567" and "F004" in message
    if language not in ("da", "en"):
        assert "snart" not in message and "nearly" not in message
        assert len(message) <= 70  # letters outside the GSM alphabet: 70 to one SMS


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_number_is_answered_on_the_page_in_its_language(demo: Site, language: str) -> None:
    tracking = [kiosk_ticket(demo, language) for _ in range(4)]

    response = demo.client.post(f"/t/{tracking[3]}/sms?lang={language}", data={"phone": "12 34"})

    assert response.status_code == 400
    assert f'<html lang="{language}"' in response.text
    assert text(language, "ticket.sms_bad_phone").replace("+", "") in response.text.replace("+", "")
    assert 'aria-invalid="true"' in response.text and 'value="12 34"' in response.text
    assert demo.read(contact_rows) == []


def test_withdrawing_erases_the_number_and_no_sms_comes(demo: Site) -> None:
    tracking = [kiosk_ticket(demo) for _ in range(5)]
    ask(demo, tracking[4], "12345678")

    withdrawn = demo.client.post(f"/t/{tracking[4]}/sms/withdraw?lang=da", follow_redirects=True)
    call(demo, 1)
    call(demo, 2)

    assert withdrawn.status_code == 200
    assert text("da", "ticket.sms_off") in withdrawn.text
    assert text("da", "ticket.sms_submit") in withdrawn.text  # may ask again
    assert [phone for _, phone in demo.read(contact_rows)] == [None]
    assert sms_sent(demo) == []


def test_leaving_the_queue_erases_the_number(demo: Site) -> None:
    tracking = [kiosk_ticket(demo) for _ in range(4)]
    ask(demo, tracking[3], "12345678")

    left = demo.client.post(f"/t/{tracking[3]}/leave?lang=da", follow_redirects=False)
    call(demo, 1)

    assert left.status_code == 303
    assert demo.read(contact_rows) == []
    assert sms_sent(demo) == []


def test_finishing_the_ticket_erases_the_number(demo: Site) -> None:
    (tracking,) = [kiosk_ticket(demo)]
    ask(demo, tracking, "12345678")  # first already: texted when the check runs
    called = demo.call_next(1)

    finished = demo.client.post(f"/api/v1/tickets/{called['id']}/finish", headers=demo.staff)

    assert finished.status_code == 200
    assert demo.read(contact_rows) == []


def _booked(conn: Conn) -> str:
    now = datetime.now(UTC)
    info = issue_ticket(
        conn,
        "hovedbiblioteket",
        "flytning",
        now,
        QueuePolicy(),
        source=TicketSource.CHECKIN,
        booking_start=now + timedelta(minutes=5),
    )
    return info.tracking


def test_booked_and_transferred_tickets_get_no_form_and_are_refused(demo: Site) -> None:
    for _ in range(4):
        kiosk_ticket(demo)
    booked = demo.write(_booked)
    walk_in = demo.issue("flytning")
    demo.write(
        lambda conn: transfer(conn, walk_in["id"], datetime.now(UTC), QueuePolicy(), counter_id=1)
    )
    moved = tracking_of(walk_in)

    for tracking in (booked, moved):
        page = demo.client.get(f"/t/{tracking}?lang=da").text
        refused = demo.client.post(
            f"/t/{tracking}/sms?lang=da", data={"phone": "12345678"}, follow_redirects=True
        )
        assert 'name="phone"' not in page
        # Told why: such a ticket is never offered one (not "called or ended").
        assert text("da", "ticket.sms_not_offered") in refused.text
    assert demo.read(contact_rows) == []


def test_a_called_ticket_offers_no_form(demo: Site) -> None:
    tracking = kiosk_ticket(demo)
    demo.call_next(1)

    page = demo.client.get(f"/t/{tracking}?lang=en").text

    assert not re.search(r'name="phone"', page)
    assert 'id="sms-heading"' not in page and text("en", "ticket.sms_heading") not in page


def test_the_scheduled_check_texts_when_someone_ahead_leaves(sqlite_db: str) -> None:
    # No call at all: the citizen ahead leaves, and the minute's check finds the ticket third.
    with in_process(sqlite_db, jobs_interval_seconds=1) as site:
        tracking = [kiosk_ticket(site) for _ in range(4)]
        ask(site, tracking[3], "12345678")
        site.client.post(f"/t/{tracking[0]}/leave?lang=da")
        deadline = time.monotonic() + 10
        while not sms_sent(site) and time.monotonic() < deadline:
            time.sleep(0.1)

        ((to, message),) = sms_sent(site)
    assert to == PHONE and "F004" in message
