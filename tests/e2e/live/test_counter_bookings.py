"""Today's appointments on the counter page, updated when a citizen checks in at the kiosk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import axe_violations
from tests.e2e.test_kiosk_checkin import BRANCH, book_renewal, set_clock
from tests.site import Site

SHOTS = Path("/tmp/shots")


def open_counter(page: Any, demo: Site, counter: int) -> None:
    page.goto(f"{demo.url}/counter")
    page.get_by_label("Brugernavn").fill("staff")
    page.get_by_label("Adgangskode").fill("demo-staff")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name=f"Skranke {counter}").click()
    page.get_by_role("heading", name=f"Skranke {counter}", level=1).wait_for()


def test_the_counter_lists_todays_booking_and_shows_its_check_in(
    page: Any, live_demo: Site
) -> None:
    booking = book_renewal(live_demo)
    set_clock(live_demo, booking.start - timedelta(minutes=10))
    page.set_viewport_size({"width": 1600, "height": 1200})
    open_counter(page, live_demo, counter=1)
    row = page.locator(f"#booking-rows tr[data-code='{booking.code}']")
    row.get_by_text("Kommer").wait_for()
    before = row.inner_text()

    kiosk = {"Authorization": f"Bearer {live_demo.creds.kiosk_token}"}
    ticket = httpx.post(
        f"{live_demo.url}{BRANCH}/checkins", json={"code": booking.code}, headers=kiosk
    ).json()
    # The check-in's queue push brings the new state, well before the minute's refresh.
    row.get_by_text(f"Tjekket ind · {ticket['number']}").wait_for(timeout=3000)
    violations = axe_violations(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "counter-bookings.png"), full_page=True)

    assert "Åse Ærø Østergaard" in before
    assert "Kørekort – fornyelse" in before
    assert violations == []


def test_a_library_counter_does_not_list_driving_licence_bookings(
    page: Any, live_demo: Site
) -> None:
    booking = book_renewal(live_demo)
    set_clock(live_demo, booking.start - timedelta(minutes=10))

    open_counter(page, live_demo, counter=3)
    page.get_by_text("Ingen tidsbestillinger i dag").wait_for()

    assert page.locator("#booking-rows tr").count() == 0
