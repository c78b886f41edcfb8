"""The wall display at the sizes it really hangs at, with the earlier-calls list full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import axe_violations
from tests.site import Site

SHOTS = Path("/tmp/shots")
SIZES = [(1920, 1080), (1280, 720), (1080, 1920)]
# Every service of both areas: a display on a busy morning shows both kinds of number.
SERVICES = ["flytning", "laan", "mitid", "digital", "sundhedskort", "print", "flytning", "laan"]


def fill_the_day(site: Site) -> list[str]:
    """Eight calls at six counters (the display lists the newest seven), each finished."""
    numbers: list[str] = []
    for service in SERVICES:
        site.issue(service)
    for n in range(4 * len(SERVICES)):
        if len(numbers) == len(SERVICES):
            break
        url = f"/api/v1/counters/{n % 6 + 1}/call-next"
        called = site.client.post(url, headers=site.staff)
        if called.status_code == 204:  # nothing this counter serves is waiting
            continue
        assert called.status_code == 200, called.text
        numbers.append(called.json()["number"])
        ticket = called.json()["id"]
        finished = site.client.post(f"/api/v1/tickets/{ticket}/finish", headers=site.staff)
        assert finished.status_code == 200, finished.text
    assert len(numbers) == len(SERVICES)
    return numbers


def layout_problems(page: Any) -> list[str]:
    """Anything the room cannot see: scrolling, or a message outside the screen."""
    return list(
        page.evaluate(
            """() => {
          const problems = [];
          const root = document.documentElement;
          if (root.scrollHeight > innerHeight + 1) problems.push(`scrolls to ${root.scrollHeight}`);
          if (root.scrollWidth > innerWidth + 1) problems.push(`is ${root.scrollWidth} wide`);
          for (const el of document.querySelectorAll('.latest-call, #areas li, #previous li')) {
            const r = el.getBoundingClientRect();
            if (el.closest('#previous') && r.top >= innerHeight) continue;
            if (r.bottom > innerHeight + 1 || r.right > innerWidth + 1 || r.left < -1)
              problems.push(`${el.textContent.trim()} at ${Math.round(r.bottom)}`);
          }
          return problems;
        }"""
        )
    )


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_display_fits_with_a_full_list_and_lists_no_number_twice_after_a_reload(
    browser: Any, live_demo: Site, width: int, height: int
) -> None:
    numbers = fill_the_day(live_demo)
    context = browser.new_context(locale="da-DK", viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{live_demo.url}/display/display-1#token={live_demo.creds.display_token}")
        page.wait_for_function("() => document.querySelectorAll('#previous li').length === 6")
        page.reload()
        page.wait_for_function("() => document.querySelectorAll('#previous li').length === 6")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"display-{width}x{height}.png"))

        shown = page.eval_on_selector_all(
            ".latest-number, .call-number", "els => els.map(e => e.textContent)"
        )
        assert shown == numbers[::-1][:7] and len(set(shown)) == 7
        assert layout_problems(page) == []
        # Every earlier call is on the screen, not cut off under the waiting figures.
        assert page.evaluate(
            "() => [...document.querySelectorAll('#previous li')]"
            ".every(li => li.getBoundingClientRect().bottom <= innerHeight)"
        )
        assert axe_violations(page) == []
    finally:
        context.close()
