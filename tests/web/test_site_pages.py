"""Small things every page and screen relies on."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from skranke.store.tables import branch_t
from tests.site import Site


def test_the_favicon_a_browser_asks_for_is_there(demo: Site) -> None:
    # A wall display reloading for weeks asked for /favicon.ico and got 404 every time.
    asked = demo.client.get("/favicon.ico", follow_redirects=False)
    icon = demo.client.get(asked.headers["location"])

    assert asked.status_code == 301
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in demo.client.get("/").text


def test_the_home_page_leads_to_booking_and_a_readable_queue(demo: Site) -> None:
    home = demo.client.get("/")
    queue = demo.client.get("/queue/hovedbiblioteket?lang=da")

    assert 'href="/book"' in home.text and 'href="/queue/hovedbiblioteket"' in home.text
    assert "/api/v1/branches/hovedbiblioteket/queue" not in home.text
    assert queue.status_code == 200 and queue.headers["content-type"].startswith("text/html")
    assert "Køen lige nu: Hovedbiblioteket" in queue.text
    assert "Kun med bestilt tid" in queue.text  # passport: booking only


def test_the_queue_page_of_an_unknown_branch_is_a_404_page(demo: Site) -> None:
    response = demo.client.get("/queue/nowhere")

    assert response.status_code == 404 and "text/html" in response.headers["content-type"]


def test_the_accessibility_statement_names_the_municipality_its_contact_and_last_check(
    demo: Site,
) -> None:
    def set_details(conn: Any) -> None:
        conn.execute(
            sa.update(branch_t).values(
                municipality="Lilleby Kommune",
                contact_email="tilgaengelighed@lilleby.dk",
                contact_phone="+45 70 10 20 30",
            )
        )

    demo.write(set_details)
    da = demo.client.get("/tilgaengelighed?lang=da").text
    en = demo.client.get("/tilgaengelighed?lang=en").text

    assert "Lilleby Kommune ønsker" in da and "mailto:tilgaengelighed@lilleby.dk" in da
    assert 'href="tel:+4570102030"' in da
    assert "Senest testet automatisk med axe-core den 4. december 2026" in da
    assert "delvist" in da and "ruller" in da  # the known issues are listed
    assert "Lilleby Kommune wants" in en and "on 4 December 2026" in en
