"""Counter, wall display and phone page together in a real browser against a real server."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.conftest import axe_violations
from tests.e2e.live.conftest import log_in
from tests.site import Site

LATEST = "document.querySelector('.latest-number')?.textContent"


def open_display(new_page: Any, site: Site) -> Any:
    display = new_page(speech_stub=True)
    display.goto(f"{site.url}/display/display-1#token={site.creds.display_token}")
    display.get_by_text("Hovedbiblioteket").wait_for()
    return display


def test_a_call_reaches_display_and_phone_and_the_display_survives_a_restart(
    new_page: Any, site: Site
) -> None:
    display = open_display(new_page, site)
    ticket = site.issue("flytning")
    phone = new_page()
    phone.goto(ticket["tracking_url"])
    counter = new_page()
    log_in(counter, site, counter=2)
    call_next = counter.get_by_role("button", name="Kald næste")
    call_next.wait_for()
    counter.wait_for_function(
        "() => !document.querySelector('[data-action=\"call-next\"]').disabled"
    )

    started = time.monotonic()
    call_next.click()
    display.wait_for_function(f"() => {LATEST} === 'F001'", timeout=1000)
    shown_after = time.monotonic() - started

    display.wait_for_function(
        "() => window.__spoken.some(u => u.text === 'Nummer F 1, skranke 2' && u.lang === 'da-DK')",
        timeout=4000,
    )
    phone.get_by_text("Det er din tur — gå til skranke 2").wait_for(timeout=2000)
    assert shown_after < 1.0
    assert display.evaluate("location.hash") == ""

    site.stop()
    display.locator("#offline").wait_for(state="visible")
    site.start()
    display.locator("#offline").wait_for(state="hidden", timeout=15000)
    site.issue("flytning")
    site.call_next(counter=1)

    # Survival, not speed, is what this part checks (speed is the first call's < 1 s above);
    # on a loaded two-core CI machine the restarted server's first call took over 3 s once.
    display.wait_for_function(f"() => {LATEST} === 'F002'", timeout=8000)
    assert "F001" in display.locator("#previous").inner_text()


def test_counter_page_keyboard_shortcuts_call_and_finish(new_page: Any, site: Site) -> None:
    counter = new_page()
    log_in(counter, site, counter=3)
    site.issue("laan")
    counter.get_by_text("L001").first.wait_for()
    counter.wait_for_function(
        "() => !document.querySelector('[data-action=\"call-next\"]').disabled"
    )

    counter.keyboard.press("n")
    counter.locator("#current-number", has_text="L001").wait_for()
    counter.wait_for_function("() => !document.querySelector('[data-action=\"finish\"]').disabled")
    counter.keyboard.press("a")

    counter.get_by_text("Ingen er kaldt.").wait_for()


def test_live_pages_pass_axe(new_page: Any, site: Site) -> None:
    site.issue("flytning")
    ticket = site.issue("laan")
    site.call_next(counter=2)
    pages: dict[str, Any] = {}

    login = new_page()
    login.goto(f"{site.url}/login")
    pages["login"] = axe_violations(login)
    log_in(login, site, counter=2)
    login.get_by_text("F001").first.wait_for()
    pages["counter"] = axe_violations(login)
    display = open_display(new_page, site)
    display.locator(".latest-number").wait_for()
    pages["display"] = axe_violations(display)
    phone = new_page()
    phone.goto(ticket["tracking_url"])
    phone.get_by_text("Plads i køen").wait_for()
    pages["phone"] = axe_violations(phone)
    phone.goto(ticket["tracking_url"] + "?lang=en")
    pages["phone (en)"] = axe_violations(phone)

    assert pages == {name: [] for name in pages}
