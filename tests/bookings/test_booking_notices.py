"""Confirmation e-mails through a real SMTP server, SMS texts, and failures that never hurt."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar

from skranke.notify.catcher import start_catcher
from skranke.notify.texts import SMS, SMS_LIMIT, email_html, sms_text
from skranke.queue.outbox import Notice
from tests.bookings.conftest import Town, open_town
from tests.conftest import free_port

# The test client's own address: these tests post no form, so no Secure cookie is needed.
BASE_URL = "http://testserver"


class Inbox:
    """The mail catcher `make run` uses, as the SMTP peer: e-mails are read back from its
    folder exactly as a person opening `var/mail/` would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for path in sorted(self.folder.glob("*.eml"))
        ]


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int]]:
    port = free_port()
    controller = start_catcher("127.0.0.1", port, tmp_path / "mail")
    try:
        yield Inbox(tmp_path / "mail"), port
    finally:
        controller.stop()


def wait_for(inbox: Inbox, count: int) -> list[EmailMessage]:
    deadline = time.monotonic() + 10
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return inbox.messages


def test_confirmation_email_carries_an_ics_in_copenhagen_time(
    sqlite_db: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    with open_town(sqlite_db, BASE_URL, smtp_host="127.0.0.1", smtp_port=port) as town:
        body = {"service": "pas", "start": "2027-03-30T09:00:00+02:00", "name": "Søren Ærø"}
        response = town.client.post("/api/v1/bookings", json={**body, "email": "soeren@example.dk"})
        assert response.status_code == 201, response.text
        messages = wait_for(inbox, 1)

    assert len(messages) == 1
    mail = messages[0]
    assert mail["To"].endswith("<soeren@example.dk>")
    assert response.json()["code"] in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert response.json()["code"] in html and "Søren Ærø" in html and 'lang="da"' in html
    (ics,) = [part for part in mail.walk() if part.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Copenhagen"
    assert (start.hour, start.minute) == (9, 0)
    assert start.astimezone(UTC) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)


def test_an_unreachable_smtp_server_never_breaks_the_booking(sqlite_db: str) -> None:
    with open_town(sqlite_db, BASE_URL, smtp_host="127.0.0.1", smtp_port=free_port()) as town:
        body = {"service": "pas", "start": "2027-03-30T09:00:00+02:00", "name": "Ida"}
        response = town.client.post("/api/v1/bookings", json={**body, "email": "ida@example.dk"})

        from skranke.store.tables import outbox_t

        rows = town.read(lambda conn: conn.execute(outbox_t.select()).all())

    assert response.status_code == 201
    assert [(r.state, r.attempts) for r in rows] == [("pending", 1)]
    assert rows[0].last_error.startswith("SMTP 127.0.0.1")


def test_sms_goes_to_the_demo_outbox_without_breaking_anything(town: Town) -> None:
    response = town.book("2027-03-30T09:00:00+02:00", phone="12 34 56 78", email=None)

    sent = town.app.state.notifier.sms.sent
    assert response.status_code == 201
    assert sent == [("+4512345678", sent[0][1])]
    assert response.json()["code"] in sent[0][1]


LONGEST = Notice(
    id=1,
    channel="sms",
    template="confirmation",
    attempts=1,
    code="ACDEFG",
    language="da",
    name="Æbelø Øster-Ålund",
    email=None,
    phone="+4512345678",
    start=datetime(2027, 12, 22, 14, 45, tzinfo=UTC),
    end=datetime(2027, 12, 22, 15, 0, tzinfo=UTC),
    service_name_da="Kørekort – erstatning for bortkommet eller ødelagt kørekort, også førstegangs",
    service_name_en="Driving licence – replacement for a lost or damaged licence, also first ones",
    what_to_bring_da="",
    what_to_bring_en="",
    branch_name="Hovedbiblioteket, Borgerservice og Bibliotek på Krystalgade i Københavns Kommune",
    branch_address="Krystalgade 15",
    timezone="Europe/Copenhagen",
)


@pytest.mark.parametrize("language", sorted(SMS))
@pytest.mark.parametrize("template", sorted(SMS["da"]))
def test_every_sms_fits_one_message_even_with_long_danish_names(
    language: str, template: str
) -> None:
    notice = LONGEST.__class__(**{**LONGEST.__dict__, "language": language, "template": template})

    text = sms_text(notice)

    # Characters, not bytes: æ, ø and å count as one each (GSM 03.38 has all three).
    assert len(text) <= SMS_LIMIT, text
    assert "ACDEFG" in text
    assert ("kl. 15:45" if language == "da" else "15:45") in text


def test_the_html_email_escapes_what_the_citizen_typed() -> None:
    notice = replace(LONGEST, channel="email", name='Ole <img src=x onerror="alert(1)">')
    html = email_html(notice, "https://skranke.example.dk/b/ACDEFG?token=a&b")
    assert "<img" not in html and "Ole &lt;img" in html
    assert 'href="https://skranke.example.dk/b/ACDEFG?token=a&amp;b"' in html
    assert "Bookingkode" in html and "ACDEFG" in html
