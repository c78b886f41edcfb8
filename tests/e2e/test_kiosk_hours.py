"""The kiosk's closed screen and the out-of-order screens of kiosk and display, in Chromium.

Both must fit the kiosk's screen (1080x1920 portrait, 1920x1080 landscape) without
scrolling and pass axe-core. Screenshots go to /tmp/hours-shots/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from skranke.queue.accounts import principal_for_token
from skranke.store import Conn
from skranke.store.tables import device_t
from skranke.web.auth import TokenCache
from tests.e2e.conftest import axe_violations
from tests.hours.conftest import TUESDAY_EVENING, Clock, local, with_branch
from tests.site import Site, served

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
SHOTS = Path("/tmp/hours-shots")


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_EVENING)


@pytest.fixture
def hours_demo(sqlite_db: str, clock: Clock) -> Iterator[Site]:
    with served(sqlite_db, with_branch(), state={"clock": clock}, kiosk_hours=True) as site:
        yield site


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def fits_the_screen(page: Any) -> None:
    """No scrolling, and every visible element inside the viewport."""
    size = page.viewport_size
    scroll = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert scroll[0] <= size["width"] and scroll[1] <= size["height"], (scroll, size)


def open_kiosk(page: Any, site: Site, token: str | None = None, query: str = "") -> None:
    page.goto(f"{site.url}/kiosk/kiosk-1{query}#token={token or site.creds.kiosk_token}")
    page.wait_for_selector("body[data-ready=true]")


def deactivate(conn: Conn) -> None:
    conn.execute(sa.update(device_t).where(device_t.c.key == "kiosk-1").values(active=False))


@pytest.mark.parametrize(("name", "size"), [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_the_closed_screen_fits_and_names_the_opening_and_the_booking_address(
    browser: Any, hours_demo: Site, name: str, size: dict[str, int]
) -> None:
    context = browser.new_context(locale="da-DK", viewport=size)
    page = context.new_page()
    try:
        open_kiosk(page, hours_demo)
        assert page.get_by_role("heading", level=1, name="Vi har lukket").is_visible()
        assert page.get_by_text("Vi åbner igen i morgen kl. 10:00.").is_visible()
        assert page.locator(".kiosk-closed-url").inner_text().endswith("/book")
        # Checking in a booking is not closed with drop-in.
        assert page.get_by_role("button", name=re.compile("Jeg har en tid")).is_enabled()
        fits_the_screen(page)
        shot(page, f"kiosk-closed-{name}")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_the_closed_screen_in_arabic_fits_too(browser: Any, hours_demo: Site) -> None:
    context = browser.new_context(locale="da-DK", viewport=PORTRAIT)
    page = context.new_page()
    try:
        open_kiosk(page, hours_demo, query="?lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        fits_the_screen(page)
        shot(page, "kiosk-closed-portrait-ar")
        assert axe_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize(("name", "size"), [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_a_rotated_token_shows_out_of_order_with_nothing_to_press(
    browser: Any, hours_demo: Site, name: str, size: dict[str, int]
) -> None:
    context = browser.new_context(locale="da-DK", viewport=size)
    page = context.new_page()
    try:
        open_kiosk(page, hours_demo, token="skd_an-old-token-from-before-the-rotation")
        box = page.locator("#out-of-order")
        box.wait_for(state="visible")
        assert page.get_by_role("heading", name="Skærmen er ude af drift").is_visible()
        assert page.get_by_text("Kontakt personalet").is_visible()
        assert page.locator("button:visible").count() == 0
        assert "token" not in page.locator("body").inner_text().lower()
        fits_the_screen(page)
        shot(page, f"kiosk-out-of-order-{name}")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_a_kiosk_revoked_while_open_goes_out_of_order_at_the_next_tap(
    browser: Any, hours_demo: Site, clock: Clock
) -> None:
    clock.now = local(2026, 12, 8, 11, 0)
    context = browser.new_context(locale="da-DK", viewport=PORTRAIT)
    page = context.new_page()
    try:
        open_kiosk(page, hours_demo)
        flytning = page.get_by_role("button", name=re.compile("Flytning"))
        assert flytning.is_enabled()
        kiosk = hours_demo.read(principal_for_token, hours_demo.creds.kiosk_token)
        hours_demo.write(deactivate)
        cache: TokenCache = hours_demo.app.state.tokens
        cache.forget_device(kiosk.device_id)
        flytning.click()
        page.locator("#out-of-order").wait_for(state="visible")
        assert page.locator("button:visible").count() == 0
        fits_the_screen(page)
    finally:
        context.close()


def test_the_display_with_a_refused_token_shows_out_of_order(
    browser: Any, hours_demo: Site
) -> None:
    context = browser.new_context(locale="da-DK", viewport=LANDSCAPE)
    page = context.new_page()
    try:
        page.goto(f"{hours_demo.url}/display/display-1#token=skd_not-this-display-any-more")
        page.locator("#out-of-order").wait_for(state="visible")
        assert page.get_by_text("Skærmen er ude af drift").is_visible()
        assert "nøgle" not in page.locator("#out-of-order").inner_text()
        fits_the_screen(page)
        shot(page, "display-out-of-order")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_near_closing_a_service_with_a_long_wait_offers_a_booking_instead(
    browser: Any, hours_demo: Site, clock: Clock
) -> None:
    clock.now = local(2026, 12, 8, 16, 45)
    for _ in range(3):
        staff = hours_demo.client.post(
            f"/api/v1/branches/{hours_demo.branch}/tickets",
            json={"service": "digital"},
            headers=hours_demo.staff,
        )
        assert staff.status_code == 201, staff.text
    context = browser.new_context(locale="da-DK", viewport=PORTRAIT)
    page = context.new_page()
    try:
        open_kiosk(page, hours_demo)
        digital = page.locator('button[data-service="digital"]')
        assert digital.get_attribute("data-late") == "true"
        assert digital.is_disabled()
        assert "Vi kan ikke nå dig i dag – bestil en tid" in digital.inner_text()
        # A quick errand with nobody waiting is still offered.
        assert page.locator('button[data-service="laan"]').is_enabled()
        shot(page, "kiosk-open-late-service")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_past_the_cut_off_the_kiosk_says_book_a_time(
    browser: Any, sqlite_db: str, clock: Clock
) -> None:
    clock.now = local(2026, 12, 8, 16, 45)
    setup = with_branch(cutoff_minutes=30)
    with served(sqlite_db, setup, state={"clock": clock}, kiosk_hours=True) as site:
        context = browser.new_context(locale="da-DK", viewport=LANDSCAPE)
        page = context.new_page()
        try:
            open_kiosk(page, site)
            heading = page.get_by_role("heading", level=1, name="Vi kan ikke nå dig i dag")
            assert heading.is_visible()
            fits_the_screen(page)
            shot(page, "kiosk-cutoff-landscape")
            assert axe_violations(page) == []
        finally:
            context.close()


def test_the_kiosk_closes_and_opens_by_itself(browser: Any, sqlite_db: str, clock: Clock) -> None:
    clock.now = local(2026, 12, 8, 16, 58)
    state = {"clock": clock, "kiosk_status_seconds": 1}
    with served(sqlite_db, with_branch(), state=state, kiosk_hours=True) as site:
        context = browser.new_context(locale="da-DK", viewport=PORTRAIT)
        page = context.new_page()
        try:
            open_kiosk(page, site)
            assert page.locator('button[data-service="laan"]').is_enabled()
            # Nobody touches it: at closing time it reloads into the closed screen ...
            clock.now = local(2026, 12, 8, 17, 0, 30)
            page.get_by_role("heading", level=1, name="Vi har lukket").wait_for()
            # ... and the next morning back into the services.
            clock.now = local(2026, 12, 9, 10, 0, 5)
            page.locator('button[data-service="laan"]').wait_for()
            page.wait_for_selector("body[data-ready=true]")
            assert page.locator('button[data-service="laan"]').is_enabled()
        finally:
            context.close()


def test_a_deactivated_kiosk_page_is_out_of_order_from_the_server(
    browser: Any, hours_demo: Site
) -> None:
    hours_demo.write(deactivate)
    context = browser.new_context(locale="da-DK", viewport=PORTRAIT)
    page = context.new_page()
    try:
        response = page.goto(f"{hours_demo.url}/kiosk/kiosk-1")
        assert response is not None and response.status == 403
        assert page.get_by_role("heading", name="Skærmen er ude af drift").is_visible()
        assert page.locator("button, a").count() == 0
        fits_the_screen(page)
        assert axe_violations(page) == []
    finally:
        context.close()
