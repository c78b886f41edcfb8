"""The wall display at the sizes it really hangs at, with the earlier-calls list full."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, axe_violations
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


# Chromium as a wall display starts it: sound waits for a first tap (the suite's own browser
# lets pages play without one, so there the button never shows).
BLOCKED_SOUND = [a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")] + [
    "--autoplay-policy=document-user-activation-required"
]


@pytest.fixture(scope="module")
def silent_browser(browser: Any) -> Iterator[Any]:
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=BLOCKED_SOUND, headless=True
    )
    try:
        yield chromium
    finally:
        chromium.close()


def overlaps(page: Any, selector: str, others: str) -> list[str]:
    """The boxes among `others` that `selector`'s box intersects."""
    return list(
        page.evaluate(
            """([selector, others]) => {
          const a = document.querySelector(selector).getBoundingClientRect();
          return [...document.querySelectorAll(others)]
            .filter((el) => {
              const b = el.getBoundingClientRect();
              return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            })
            .map((el) => el.textContent.trim().replace(/\\s+/g, ' '));
        }""",
            [selector, others],
        )
    )


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_sound_button_covers_nothing_and_goes_once_sound_is_on(
    silent_browser: Any, live_demo: Site, width: int, height: int
) -> None:
    fill_the_day(live_demo)
    viewport = {"width": width, "height": height}
    context = silent_browser.new_context(locale="da-DK", viewport=viewport)
    try:
        page = context.new_page()
        page.goto(f"{live_demo.url}/display/display-1#token={live_demo.creds.display_token}")
        page.wait_for_function("() => document.querySelectorAll('#previous li').length === 6")
        button = page.get_by_role("button", name="Slå lyd til")
        button.wait_for()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"display-sound-{width}x{height}.png"))
        covered = overlaps(page, "#sound-on", ".area-list li, .latest-call, #previous li, h2")
        box = button.bounding_box()
        violations = axe_violations(page)

        button.click()
        button.wait_for(state="hidden")
        sound = page.evaluate("() => document.getElementById('sound-on').hidden")
    finally:
        context.close()

    assert covered == []
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    assert box["height"] >= 44
    assert sound is True
    assert violations == []
