"""The phone page: in the ticket's language, with the branch's name, and "Jeg går igen"."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from skranke.queue.states import LANGUAGES
from skranke.store.tables import event_t
from tests.site import Site, tracking_of


def cancelled_numbers(conn: Any) -> list[str]:
    rows = conn.execute(sa.select(event_t.c.payload).where(event_t.c.kind == "ticket.cancelled"))
    return [r.payload.get("number") for r in rows]


def kiosk_ticket(site: Site, language: str) -> dict[str, object]:
    response = site.client.post(
        f"/api/v1/branches/{site.branch}/tickets",
        json={"service": "flytning", "language": language},
        headers=site.kiosk,
    )
    assert response.status_code == 201, response.text
    ticket: dict[str, object] = response.json()
    return ticket


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_kiosk_ticket_opens_its_phone_page_in_the_kiosk_language(
    demo: Site, language: str
) -> None:
    ticket = kiosk_ticket(demo, language)

    page = demo.client.get(f"/t/{tracking_of(ticket)}").text

    assert f'<html lang="{language}"' in page
    assert "Hovedbiblioteket" in page.split("</header>")[0]  # the branch, not "Skranke"


def test_asked_language_wins_over_the_tickets(demo: Site) -> None:
    ticket = kiosk_ticket(demo, "uk")

    page = demo.client.get(f"/t/{tracking_of(ticket)}?lang=tr").text

    assert '<html lang="tr"' in page and "Sıradaki yeriniz" in page


def test_leaving_asks_first_then_cancels_and_counters_see_it(demo: Site) -> None:
    first = demo.issue("flytning")
    second = demo.issue("flytning")
    tracking = tracking_of(first)

    page = demo.client.get(f"/t/{tracking}?lang=da").text
    asked = demo.client.get(f"/t/{tracking}?lang=da&leave=ask").text
    left = demo.client.post(f"/t/{tracking}/leave?lang=da", follow_redirects=False)
    after = demo.client.get(left.headers["location"]).text
    called = demo.call_next(counter=2)

    assert "Jeg går igen" in page and "Vil du forlade køen? Nummer F001" in asked
    assert left.status_code == 303
    assert "Du har forladt køen" in after and "Nummer F001" not in after
    assert called["number"] == second["number"]  # the counter never calls the one who left
    assert demo.read(cancelled_numbers) == ["F001"]


def test_a_called_ticket_cannot_leave_and_is_told_why(demo: Site) -> None:
    ticket = demo.issue("flytning")
    demo.call_next(counter=2)

    left = demo.client.post(f"/t/{tracking_of(ticket)}/leave?lang=en", follow_redirects=False)
    page = demo.client.get(left.headers["location"]).text

    assert re.search(r"refused=called", left.headers["location"])
    assert "You have been called already, so you cannot leave the queue here" in page
    assert "leave=ask" not in page  # no way to leave offered any more


def test_an_ended_ticket_is_told_it_is_no_longer_in_the_queue(demo: Site) -> None:
    ticket = demo.issue("flytning")
    tracking = tracking_of(ticket)
    demo.client.post(f"/t/{tracking}/leave?lang=da")

    again = demo.client.post(f"/t/{tracking}/leave?lang=da")

    assert "Nummeret er allerede afsluttet, så det står ikke i køen længere." in again.text
    assert "Du har forladt køen" not in again.text


def test_leaving_an_unknown_ticket_is_refused_without_a_500(demo: Site) -> None:
    response = demo.client.post("/t/nope/leave", follow_redirects=False)
    page = demo.client.get(response.headers["location"], headers={"Accept-Language": "da"})

    assert response.status_code == 303
    assert page.status_code == 404 and "Vi kan ikke finde dit nummer." in page.text


@pytest.mark.parametrize(
    ("language", "title"), [("uk", "Номер не знайдено"), ("pl", "Nie znaleziono numeru")]
)
def test_an_unknown_tracking_code_is_said_in_the_asked_language(
    demo: Site, language: str, title: str
) -> None:
    page = demo.client.get(f"/t/nope?lang={language}")

    assert page.status_code == 404
    assert f'<html lang="{language}"' in page.text and title in page.text
    assert "Skip to content" not in page.text and "Accessibility statement" not in page.text


def test_the_wait_says_how_many_are_ahead_in_the_pages_plural(demo: Site) -> None:
    for _ in range(5):
        last = demo.issue("flytning")

    da = demo.client.get(f"/t/{tracking_of(last)}?lang=da").text
    uk = demo.client.get(f"/t/{tracking_of(last)}?lang=uk").text

    assert "Der er 4 personer foran dig." in da
    assert "Перед вами 4 людини." in uk


def test_the_first_in_line_never_reads_about_zero_minutes(demo: Site) -> None:
    ticket = demo.issue("flytning")

    page = demo.client.get(f"/t/{tracking_of(ticket)}?lang=da").text
    estimate = re.search(r'<dd id="estimate">([^<]*)</dd>', page)

    assert estimate is not None
    # Nobody ahead and a counter free: soon, not "ca. 0 min".
    assert estimate.group(1) == "om et øjeblik"
