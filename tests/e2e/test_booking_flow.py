"""Booking in a real browser, with and without JavaScript, then checking in at the kiosk."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import axe_violations
from tests.site import Site

SHOTS = Path("/tmp/shots")


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"booking-{name}.png"), full_page=True)


def book_renewal(page: Any, base: str) -> str:
    """Walk the whole flow; returns the booking code shown on the confirmation."""
    page.goto(f"{base}/book")
    page.get_by_role("link", name="Kørekort – fornyelse").click()
    page.locator("td.has-times a").first.click()
    page.locator(".book-times a").first.click()
    page.get_by_label("Navn").fill("Åse Ærø Østergaard")
    page.get_by_label("E-mail").fill("aase@example.dk")
    page.get_by_label("Mobilnummer").fill("12 34 56 78")
    page.get_by_label("Jeg har læst").check()
    page.get_by_role("button", name="Bestil tid").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Din tid er bestilt"
    return page.locator("#booking-code").inner_text()


def axe_each_step(page: Any, base: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    page.goto(f"{base}/book")
    found["errand"] = axe_violations(page)
    shoot(page, "1-errand")
    page.get_by_role("link", name="Kørekort – fornyelse").click()
    found["month"] = axe_violations(page)
    shoot(page, "2-month")
    page.locator("td.has-times a").first.click()
    found["day"] = axe_violations(page)
    shoot(page, "3-day")
    page.locator(".book-times a").first.click()
    found["form"] = axe_violations(page)
    shoot(page, "4-form")
    page.get_by_role("button", name="Bestil tid").click()
    found["form with errors"] = axe_violations(page)
    shoot(page, "4b-form-errors")
    page.get_by_label("Navn").fill("Åse Ærø")
    page.get_by_label("E-mail").fill("aase@example.dk")
    page.get_by_label("Jeg har læst").check()
    page.get_by_role("button", name="Bestil tid").click()
    found["confirmation"] = axe_violations(page)
    shoot(page, "5-confirmation")
    page.goto(page.url.split("?")[0] + "?lang=en")
    found["confirmation (en)"] = axe_violations(page)
    shoot(page, "6-confirmation-en")
    page.get_by_role("link", name="Cancel the appointment").click()
    found["cancel question (en)"] = axe_violations(page)
    shoot(page, "6b-cancel-question-en")
    return found


def test_booking_pages_pass_axe_at_every_step(page: Any, live_demo: Site) -> None:
    found = axe_each_step(page, live_demo.url)

    assert found == {step: [] for step in found}


def test_book_and_cancel_a_renewal_without_javascript(browser: Any, live_demo: Site) -> None:
    context = browser.new_context(locale="da-DK", java_script_enabled=False)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        code = book_renewal(page, live_demo.url)
        page.get_by_role("link", name="Aflys tiden").click()
        asked = page.get_by_role("heading", level=1).inner_text()
        page.get_by_role("button", name="Ja, aflys tiden").click()
        heading = page.get_by_role("heading", level=1).inner_text()
        shoot(page, "7-cancelled")
    finally:
        context.close()

    assert len(code) == 6
    assert asked == "Vil du aflyse tiden?"
    assert heading == "Tiden er aflyst"


def test_book_with_javascript_then_check_in_and_be_called_first(page: Any, live_demo: Site) -> None:
    code = book_renewal(page, live_demo.url)
    kiosk = {"Authorization": f"Bearer {live_demo.creds.kiosk_token}"}
    staff = {"Authorization": f"Bearer {live_demo.creds.staff_token}"}
    app = live_demo.server.server.config.app
    with httpx.Client(base_url=live_demo.url, timeout=10) as http:
        start = _booking_start(http, staff, code)
        app.state.clock = lambda: start - timedelta(minutes=10)
        for _ in range(2):
            walk_in = {"service": "flytning"}
            http.post("/api/v1/branches/hovedbiblioteket/tickets", json=walk_in, headers=kiosk)
        checkin = {"code": code}
        ticket = http.post(
            "/api/v1/branches/hovedbiblioteket/checkins", json=checkin, headers=kiosk
        )
        http.post("/api/v1/counters/1/state", json={"state": "open"}, headers=staff)
        # Booked citizens are called first from a few minutes before their time.
        app.state.clock = lambda: start - timedelta(minutes=2)
        called = http.post("/api/v1/counters/1/call-next", headers=staff)

    assert ticket.status_code == 201, ticket.text
    assert called.status_code == 200, called.text
    assert called.json()["number"] == ticket.json()["number"]


def _booking_start(http: httpx.Client, staff: dict[str, str], code: str) -> datetime:
    for offset in range(0, 70):
        day = (datetime.now() + timedelta(days=offset)).date().isoformat()
        rows = http.get(
            "/api/v1/branches/hovedbiblioteket/bookings", headers=staff, params={"date": day}
        ).json()
        for row in rows:
            if row["code"] == code:
                return datetime.fromisoformat(row["start"])
    pytest.fail(f"booking {code} not found")


@pytest.mark.parametrize(
    ("lang", "direction", "heading"), [("uk", "ltr", "Ваші дані"), ("ar", "rtl", "بياناتك")]
)
def test_booking_in_ukrainian_and_arabic_passes_axe_at_every_step(
    page: Any, live_demo: Site, lang: str, direction: str, heading: str
) -> None:
    page.goto(f"{live_demo.url}/book?lang={lang}")
    found = {"errand": axe_violations(page)}
    assert page.locator("html").get_attribute("dir") == direction
    page.locator(".book-choice a, a.book-choice").first.click()
    found["month"] = axe_violations(page)
    page.locator("td.has-times a").first.click()
    page.locator(".book-times a").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    page.locator("button[type=submit]").click()
    found["form with errors"] = axe_violations(page)
    shoot(page, f"8-form-errors-{lang}")

    assert found == {step: [] for step in found}
    assert "Enter your name" not in page.content()  # the page's own language, not English
    # Nothing pushes a right-to-left page sideways (an off-screen field once made it 11,280 px).
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
