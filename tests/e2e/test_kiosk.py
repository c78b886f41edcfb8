"""The touch kiosk in Chromium: a tap gives a number on screen and a ticket at the printer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.store.tables import device_t
from tests.e2e.conftest import axe_violations
from tests.printers.helpers import EmulatorThread
from tests.site import Site

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


def use_printer(demo: Site, url: str) -> None:
    def update(conn: Connection) -> None:
        kiosk = device_t.c.key == "kiosk-1"
        conn.execute(sa.update(device_t).where(kiosk).values(printer_url=url))

    demo.write(update)


@pytest.fixture
def printer(live_demo: Site, tmp_path: Path) -> Iterator[EmulatorThread]:
    with EmulatorThread(tmp_path / "tickets") as emulator:
        use_printer(live_demo, emulator.url)
        yield emulator


def open_kiosk(page: Any, demo: Site, query: str = "") -> None:
    page.goto(f"{demo.url}/kiosk/kiosk-1{query}#token={demo.creds.kiosk_token}")
    page.wait_for_selector("body[data-ready=true]")


def waiting(demo: Site, service: str) -> int:
    queue = httpx.get(f"{demo.url}/api/v1/branches/hovedbiblioteket/queue").json()
    return int({q["service"]: q["waiting"] for q in queue}[service])


def test_a_tap_on_a_borgerservice_service_shows_the_number_and_prints_the_ticket(
    page: Any, live_demo: Site, printer: EmulatorThread
) -> None:
    open_kiosk(page, live_demo)

    page.get_by_role("button", name=re.compile("Flytning")).click()
    number = page.locator("[data-field=number]")
    number.wait_for()
    (printed,) = printer.wait_for_tickets(1)

    assert number.inner_text() == "F001"
    assert page.get_by_role("heading", level=1, name="Tag din billet").is_visible()
    # The number and the service line are drawn as images; the QR leads to the phone page.
    assert "Dit nummer\n[IMAGE 512x128]" in printed and "/t/" in printed
    # The token left the address bar for the page's own storage.
    assert "token" not in page.url
    assert page.evaluate("localStorage.getItem('skranke.kiosk.kiosk-1.token')").startswith("skd_")


def test_a_double_tap_yields_one_ticket(page: Any, live_demo: Site) -> None:
    open_kiosk(page, live_demo)

    page.locator("button[data-service=flytning]").dblclick()
    page.locator("[data-field=number]").wait_for()

    assert page.locator("[data-field=number]").inner_text() == "F001"
    assert waiting(live_demo, "flytning") == 1


def test_services_that_need_a_booking_cannot_be_tapped(page: Any, live_demo: Site) -> None:
    open_kiosk(page, live_demo)

    needs_booking = page.locator(".kiosk-booking")

    assert "Kræver tidsbestilling" in needs_booking.inner_text()
    assert needs_booking.get_by_text("Pas", exact=True).is_visible()
    assert page.get_by_role("button", name=re.compile("^Pas")).count() == 0


def test_the_arabic_kiosk_is_laid_out_right_to_left(page: Any, live_demo: Site) -> None:
    page.set_viewport_size(PORTRAIT)
    open_kiosk(page, live_demo, "?lang=ar")

    first = page.locator("button[data-service=laan]").bounding_box()
    second = page.locator("button[data-service=digital]").bounding_box()
    danish = page.get_by_role("link", name="Dansk").bounding_box()

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_role("heading", level=1).inner_text() == "خذ رقمًا"
    # Reading order runs from the right: the first service and language sit rightmost.
    assert first["x"] > second["x"]
    assert danish["x"] + danish["width"] > PORTRAIT["width"] - 80


def test_the_ticket_screen_can_be_given_more_time_and_left_at_once(
    page: Any, live_demo: Site
) -> None:
    open_kiosk(page, live_demo)
    page.locator("button[data-service=laan]").click()
    countdown = page.locator("[data-field=countdown]")
    countdown.wait_for()

    page.get_by_role("button", name="Mere tid").click()
    seconds = int(re.findall(r"\d+", countdown.inner_text())[0])
    page.get_by_role("button", name="Færdig").click()
    page.wait_for_selector("#start:not([hidden])")

    assert seconds > 60


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_kiosk_passes_axe_before_and_after_a_tap(
    page: Any, live_demo: Site, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    open_kiosk(page, live_demo)

    before = axe_violations(page)
    page.locator("button[data-service=laan]").click()
    page.locator("[data-field=number]").wait_for()
    page.locator("[data-field=qr]").evaluate("img => img.decode()")
    after = axe_violations(page)

    assert before == [] and after == []


def test_the_kiosk_targets_are_large(page: Any, live_demo: Site) -> None:
    page.set_viewport_size(LANDSCAPE)
    open_kiosk(page, live_demo)

    sizes = page.eval_on_selector_all(
        "button, a", "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect())"
    )

    assert sizes and min(min(s["width"], s["height"]) for s in sizes) >= 44


def test_a_tap_while_the_database_is_away_says_one_moment_and_retries_into_one_ticket(
    page: Any, live_demo: Site
) -> None:
    keys: list[str] = []
    refused = 0

    def database_away_twice(route: Any) -> None:
        # What the server answers while PostgreSQL restarts (tests/web/test_bad_input.py).
        nonlocal refused
        keys.append(route.request.headers["idempotency-key"])
        if refused < 2:
            refused += 1
            route.fulfill(
                status=503,
                headers={"Retry-After": "5"},
                content_type="application/json",
                body='{"error": "unavailable", "detail": "The database is unavailable"}',
            )
        else:
            route.continue_()

    page.route("**/api/v1/branches/hovedbiblioteket/tickets", database_away_twice)
    open_kiosk(page, live_demo)

    page.get_by_role("button", name=re.compile("Flytning")).click()
    page.get_by_text("Et øjeblik …").wait_for(timeout=1000)
    number = page.locator("[data-field=number]")
    number.wait_for(timeout=10_000)

    assert number.inner_text() == "F001"
    assert len(keys) == 3 and len(set(keys)) == 1
    assert waiting(live_demo, "flytning") == 1
