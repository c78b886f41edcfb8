"""A kiosk ticket names its errand from the database in the screen's language, on screen, on
paper and on the phone page; a check-in's ticket speaks the kiosk screen's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.printers.spooler import Spooler
from skranke.printers.ticket import TicketPrint, layout_ticket
from skranke.store import print_jobs
from skranke.store.tables import branch_t, device_t, ticket_t
from tests.site import Site, in_process, tracking_of

BRANCH = "/api/v1/branches/hovedbiblioteket"
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def demo(sqlite_db: str) -> Iterator[Site]:
    # A printer that is never reached: the jobs stay queued for the test to read.
    with in_process(sqlite_db) as site:

        def printer(conn: Connection) -> None:
            kiosk = device_t.c.key == "kiosk-1"
            conn.execute(
                sa.update(device_t).where(kiosk).values(printer_url="network://127.0.0.1:9")
            )

        site.write(printer)
        yield site


def take(site: Site, service: str, language: str) -> dict[str, Any]:
    response = site.client.post(
        f"{BRANCH}/tickets", json={"service": service, "language": language}, headers=site.kiosk
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def printed(site: Site, ticket_id: int) -> TicketPrint:
    """What the spooler would print for the ticket's job."""

    def jobs(conn: Connection) -> list[print_jobs.PendingJob]:
        device = conn.execute(sa.select(device_t.c.id).where(device_t.c.key == "kiosk-1"))
        far = datetime(2100, 1, 1, tzinfo=CPH)
        return print_jobs.device_jobs(conn, device.scalar_one(), far)

    (job,) = [j for j in site.read(jobs) if j.number == ticket_number(site, ticket_id)]
    spooler = Spooler(site.app.state.db, public_url="https://skranke.example")
    return spooler._ticket(job)


def ticket_number(site: Site, ticket_id: int) -> str:
    def read(conn: Connection) -> str:
        return str(
            conn.execute(sa.select(ticket_t.c.number).where(ticket_t.c.id == ticket_id)).scalar()
        )

    return str(site.read(read))


def test_a_ukrainian_ticket_names_its_errand_in_ukrainian_everywhere(demo: Site) -> None:
    ticket = take(demo, "flytning", "uk")

    assert ticket["service_name"]["uk"] == "Зміна адреси"
    assert ticket["service_name"]["da"] == "Flytning"
    assert printed(demo, ticket["id"]).service == "Зміна адреси"
    phone = demo.client.get(f"/t/{tracking_of(ticket)}")
    assert phone.status_code == 200
    shown = re.sub(r"<script.*?</script>", "", phone.text, flags=re.S)
    assert "Зміна адреси" in shown and "Change of address" not in shown


def test_an_arabic_ticket_for_a_long_errand_name_prints_the_arabic_name(demo: Site) -> None:
    ticket = take(demo, "mitid", "ar")

    assert printed(demo, ticket["id"]).service == "MitID والبريد الرقمي (Digital Post)"


def test_the_printed_footer_is_the_branchs_own_text_or_else_its_address(demo: Site) -> None:
    first = take(demo, "laan", "da")
    assert printed(demo, first["id"]).footer == "Borgerservice og bibliotek · Velkommen"

    def no_footer(conn: Connection) -> None:
        conn.execute(sa.update(branch_t).values(ticket_footer=""))

    demo.write(no_footer)
    second = take(demo, "laan", "da")
    assert printed(demo, second["id"]).footer == "Krystalgade 15, 1172 København K"


def test_a_wait_range_is_printed_as_the_kiosk_showed_it() -> None:
    ticket = TicketPrint(
        branch="Hovedbiblioteket",
        number="F004",
        service="Flytning",
        issued_at=datetime(2026, 12, 8, 10, 5, tzinfo=CPH),
        position=3,
        wait_minutes=12,
        qr_url="https://skranke.example/t/x",
        wait_range=(10, 15),
    )
    texts = layout_ticket(ticket).texts()
    assert "Forventet ventetid ca. 10–15 min" in texts
    assert not any("12 min" in t for t in texts)


def book(site: Site, language: str) -> tuple[str, datetime]:
    slots = site.client.get(
        "/api/v1/services/koerekort-fornyelse/slots", params={"branch": "hovedbiblioteket"}
    ).json()["slots"]
    start = datetime.fromisoformat(slots[0]["start"])
    booked = site.client.post(
        "/api/v1/bookings",
        json={
            "branch": "hovedbiblioteket",
            "service": "koerekort-fornyelse",
            "start": start.isoformat(),
            "name": "Olena Kovalenko",
            "email": "olena@example.dk",
            "language": language,
        },
    )
    assert booked.status_code == 201, booked.text
    return str(booked.json()["code"]), start


@pytest.mark.parametrize(("screen", "wanted"), [("uk", "uk"), ("ar", "ar"), (None, "en")])
def test_a_checkin_ticket_speaks_the_kiosk_screens_language(
    demo: Site, screen: str | None, wanted: str
) -> None:
    code, start = book(demo, "en")
    demo.app.state.clock = lambda: start - timedelta(minutes=10)
    body: dict[str, Any] = {"code": code}
    if screen is not None:
        body["language"] = screen

    response = demo.client.post(f"{BRANCH}/checkins", json=body, headers=demo.kiosk)

    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["language"] == wanted
    # The kiosk says "Du er tjekket ind til kl. ..." from the appointment's time.
    assert datetime.fromisoformat(ticket["booking_start"]) == start
    paper = printed(demo, ticket["id"])
    names = {"uk": "Посвідчення водія – поновлення", "ar": "رخصة القيادة – تجديد"}
    assert paper.language == wanted
    assert paper.service == names.get(wanted, "Driving licence – renewal")


def test_a_kiosk_refusal_carries_a_reason_the_page_can_say_in_its_language(demo: Site) -> None:
    booking_only = demo.post_ticket("pas")
    unknown = demo.post_ticket("hundeskat")
    checkin = demo.client.post(f"{BRANCH}/checkins", json={"code": "AAAAAA"}, headers=demo.kiosk)

    assert (booking_only.status_code, booking_only.json()["reason"]) == (403, "booking_only")
    assert (unknown.status_code, unknown.json()["reason"]) == (404, "unknown_service")
    assert (checkin.status_code, checkin.json()["reason"]) == (404, "unknown_booking")
