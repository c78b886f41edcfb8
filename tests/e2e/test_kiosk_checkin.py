"""Checking a booking in at the kiosk in Chromium: the code on the keypad or from a scanner."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import axe_violations
from tests.e2e.test_kiosk import PORTRAIT, open_kiosk, use_printer
from tests.printers.helpers import EmulatorThread
from tests.site import Site

SHOTS = Path("/tmp/shots")
BRANCH = "/api/v1/branches/hovedbiblioteket"
CPH = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Booking:
    code: str
    start: datetime


def book_renewal(demo: Site) -> Booking:
    with httpx.Client(base_url=demo.url, timeout=10) as http:
        found = http.get(
            "/api/v1/services/koerekort-fornyelse/slots", params={"branch": "hovedbiblioteket"}
        ).json()
        # Inside drop-in hours as well, so a walk-in can be waiting ahead of the booking.
        start = next(
            datetime.fromisoformat(slot["start"])
            for slot in found["slots"]
            if datetime.fromisoformat(slot["start"]).astimezone(CPH).hour >= 11
        )
        booked = http.post(
            "/api/v1/bookings",
            json={
                "branch": "hovedbiblioteket",
                "service": "koerekort-fornyelse",
                "start": start.isoformat(),
                "name": "Åse Ærø Østergaard",
                "email": "aase@example.dk",
            },
        )
    assert booked.status_code == 201, booked.text
    return Booking(booked.json()["code"], start)


def set_clock(demo: Site, at: datetime) -> None:
    demo.server.server.config.app.state.clock = lambda: at


def staff_post(demo: Site, path: str, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {demo.creds.staff_token}"}
    return httpx.post(f"{demo.url}{path}", json=body, headers=headers, timeout=10)


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"checkin-{name}.png"), full_page=True)


def start_checkin(page: Any) -> None:
    page.get_by_role("button", name=re.compile("Jeg har en tid")).click()
    page.get_by_role("heading", level=1, name="Tjek ind til din tid").wait_for()


def tap_code(page: Any, code: str) -> None:
    keypad = page.get_by_role("group", name="Tastatur til koden")
    for key in code:
        keypad.get_by_role("button", name=key, exact=True).click()
    page.get_by_role("button", name="Tjek ind", exact=True).click()


@pytest.fixture
def printer(live_demo: Site, tmp_path: Path) -> Iterator[EmulatorThread]:
    with EmulatorThread(tmp_path / "tickets") as emulator:
        use_printer(live_demo, emulator.url)
        yield emulator


def test_a_code_tapped_on_the_keypad_prints_a_ticket_called_before_an_earlier_walk_in(
    page: Any, live_demo: Site, printer: EmulatorThread
) -> None:
    booking = book_renewal(live_demo)
    set_clock(live_demo, booking.start - timedelta(minutes=10))
    walk_in = staff_post(live_demo, f"{BRANCH}/tickets", {"service": "flytning"})
    open_kiosk(page, live_demo)

    start_checkin(page)
    tap_code(page, booking.code)
    number = page.locator("[data-field=number]")
    number.wait_for()
    (printed,) = printer.wait_for_tickets(1)
    shoot(page, "4-ticket")
    staff_post(live_demo, "/api/v1/counters/1/state", {"state": "open"})
    set_clock(live_demo, booking.start - timedelta(minutes=2))
    called = staff_post(live_demo, "/api/v1/counters/1/call-next")

    assert walk_in.status_code == 201
    # The screen says for which time; the ticket comes out below.
    time = f"{booking.start.astimezone(CPH):%H:%M}"
    title = f"Du er tjekket ind til kl. {time}"
    assert page.get_by_role("heading", level=1, name=title).is_visible()
    assert page.get_by_text("Din billet kommer ud nedenfor.").is_visible()
    assert page.locator("[data-field=service]").inner_text() == "Kørekort – fornyelse"
    assert "[IMAGE 512x128]" in printed and "[QR] " in printed
    assert called.json()["number"] == number.inner_text() != walk_in.json()["number"]


def test_a_scanned_code_too_early_is_told_when_to_come_back(page: Any, live_demo: Site) -> None:
    booking = book_renewal(live_demo)
    set_clock(live_demo, booking.start - timedelta(hours=2))
    open_kiosk(page, live_demo)
    start_checkin(page)

    # A scanner types like a keyboard into the focused field and ends with Enter.
    page.keyboard.type(booking.code.lower())
    page.keyboard.press("Enter")
    message = page.locator("#checkin-message")
    message.get_by_text("for tidlig").wait_for()

    come_back = (booking.start - timedelta(minutes=30)).astimezone(CPH)
    assert f"kl. {come_back:%H:%M}" in message.inner_text()
    assert page.locator("[data-field=number]").inner_text() == ""


def test_an_unknown_code_asks_to_try_again(page: Any, live_demo: Site) -> None:
    open_kiosk(page, live_demo)
    start_checkin(page)

    tap_code(page, "AAAAAA")
    message = page.locator("#checkin-message")
    message.get_by_text("Vi kan ikke finde koden AAAAAA").wait_for()

    assert page.locator("#checkin-code").input_value() == "AAAAAA"
    assert page.locator("#checkin").is_visible()


def test_too_late_offers_a_drop_in_ticket_instead(page: Any, live_demo: Site) -> None:
    booking = book_renewal(live_demo)
    set_clock(live_demo, booking.start + timedelta(minutes=20))
    open_kiosk(page, live_demo)
    start_checkin(page)

    tap_code(page, booking.code)
    page.get_by_role("button", name="Ja, giv mig et nummer").click()
    page.locator("[data-field=number]").wait_for()

    assert page.locator("[data-field=number]").inner_text().startswith("K")


def test_checkin_screens_pass_axe_and_have_large_targets(page: Any, live_demo: Site) -> None:
    booking = book_renewal(live_demo)
    set_clock(live_demo, booking.start + timedelta(minutes=20))
    page.set_viewport_size(PORTRAIT)
    open_kiosk(page, live_demo)
    found: dict[str, list[str]] = {"start": axe_violations(page)}
    shoot(page, "1-start")

    start_checkin(page)
    found["code"] = axe_violations(page)
    sizes = page.eval_on_selector_all(
        "#checkin button, #checkin input",
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect())",
    )
    shoot(page, "2-code")
    tap_code(page, "AAAAAA")
    page.locator("#checkin-message").get_by_text("AAAAAA").wait_for()
    found["unknown"] = axe_violations(page)
    shoot(page, "3-unknown")
    page.locator("#checkin-code").fill(booking.code)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Ja, giv mig et nummer").wait_for()
    found["too late"] = axe_violations(page)
    shoot(page, "3b-too-late")

    assert found == {screen: [] for screen in found}
    assert len(sizes) >= 28 and min(min(s["width"], s["height"]) for s in sizes) >= 44


def test_the_arabic_checkin_screen_passes_axe_with_a_left_to_right_code(
    page: Any, live_demo: Site
) -> None:
    page.set_viewport_size(PORTRAIT)
    open_kiosk(page, live_demo, "?lang=ar")

    page.get_by_role("button", name=re.compile("لدي موعد")).click()
    page.locator("#checkin-code").wait_for()
    violations = axe_violations(page)
    first = page.locator("[data-key=A]").bounding_box()
    second = page.locator("[data-key=C]").bounding_box()
    shoot(page, "5-arabic")

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert violations == []
    # Codes are Latin: the keypad reads left to right even in Arabic.
    assert first["x"] < second["x"]
