"""The counter page says what happened, in Danish, and its number field lets go of the keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import axe_violations
from tests.e2e.live.conftest import log_in
from tests.site import Site

SHOTS = Path("/tmp/shots")
# Words of the domain's English sentences; none may reach a Danish page.
ENGLISH = re.compile(r"\b(ticket|counter|busy|branch|called by|finish|Expected|but got)\b", re.I)


def ready(page: Any) -> None:
    page.wait_for_function("() => !document.querySelector('[data-action=\"call-next\"]').disabled")


def said(page: Any, text: str) -> str:
    page.locator("#message").filter(has_text=text).wait_for()
    message: str = page.locator("#message").inner_text()
    return message


def test_every_error_and_outcome_is_said_in_danish(new_page: Any, site: Site) -> None:
    counter = new_page()
    log_in(counter, site, counter=2)
    ready(counter)
    field = counter.get_by_label("Kald bestemt nummer")

    messages = []
    field.fill("F999")
    field.press("Enter")
    messages.append(said(counter, "Der er intet nummer F999"))
    assert counter.evaluate("document.activeElement.id") == "call-number"  # fix it in place

    site.issue("flytning")
    second = site.issue("flytning")
    taken = site.client.post(
        "/api/v1/counters/1/call", json={"ticket": second["number"]}, headers=site.staff
    )
    assert taken.status_code == 200, taken.text
    field.fill(second["number"])
    field.press("Enter")
    messages.append(said(counter, "er allerede kaldt af en anden skranke"))

    field.fill("F001")
    field.press("Enter")
    messages.append(said(counter, "F001 er kaldt."))
    # The field let go: the shortcut keys act again instead of typing "akZZ99" into it.
    assert counter.evaluate("document.activeElement.id") == "current-number"
    for _ in range(3):
        counter.keyboard.press("g")
        counter.wait_for_timeout(300)
    messages.append(said(counter, "F001 er kaldt igen."))
    assert "Kaldt igen 3 gange" in counter.locator("#current-details").inner_text()
    counter.keyboard.press("g")
    messages.append(said(counter, "sat tilbage i køen"))

    SHOTS.mkdir(exist_ok=True)
    counter.screenshot(path=str(SHOTS / "counter-messages.png"))
    assert [m for m in messages if ENGLISH.search(m)] == []
    assert axe_violations(counter) == []


def test_escape_leaves_the_number_field(new_page: Any, site: Site) -> None:
    counter = new_page()
    log_in(counter, site, counter=2)
    ready(counter)

    counter.keyboard.press("k")
    assert counter.evaluate("document.activeElement.id") == "call-number"
    counter.keyboard.type("F0")
    counter.keyboard.press("Escape")

    assert counter.evaluate("document.activeElement.id") != "call-number"
    assert counter.get_by_label("Kald bestemt nummer").input_value() == ""
