"""The counter page on a clerk's laptop (1366×768) and a full-HD screen, on a busy morning:
the citizen at the counter, every action and the next in line without scrolling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port
from tests.e2e.conftest import axe_violations
from tests.e2e.live.conftest import log_in
from tests.e2e.test_kiosk import use_printer
from tests.e2e.test_kiosk_checkin import BRANCH, CPH, set_clock
from tests.site import Site

SHOTS = Path("/tmp/counter-shots")
SIZES = [(1366, 768), (1920, 1080), (1366, 650)]
# Walk-ins of both areas, 34 in all: counter 2 sees its own errands and the library's totals.
WALK_INS = {"flytning": 8, "mitid": 7, "sundhedskort": 5, "laan": 6, "digital": 4, "print": 4}
# Booked for the same slot and checked in: they go first, and the page must say why.
BOOKED = ["koerekort-fornyelse", "koerekort-fornyelse", "pas"]
COUNTER = 2
# What a clerk must reach without scrolling; the next in line is the list's first entry.
MUST_SEE = [
    "#current-number",
    "[data-action]",
    "#transfer-target",
    "#transfer-button",
    "#call-number",
    "#call-button",
    "[data-state]",
    "#waiting-list li:first-child",
    "#waiting-list li:first-child button",
    "#message",
    "#printer-alerts",
    "#offline",
]
TEXTS = {
    "da": {
        "recalled": "er kaldt igen",
        "serving": "Du betjener nu",
        "unknown": "intet nummer Z999",
    },
    "en": {
        "recalled": "called again",
        "serving": "You are now serving",
        "unknown": "no number Z999",
    },
}


@dataclass(frozen=True)
class Morning:
    current: str
    parked: str
    booked: list[str]


def busy_morning(site: Site) -> Morning:
    """34 walk-ins over the last 40 minutes, three checked-in bookings, one ticket parked and
    one at counter 2. The clock is the server's, set to a day with a free slot."""
    with httpx.Client(base_url=site.url, timeout=10) as http:
        slots = http.get(
            "/api/v1/services/koerekort-fornyelse/slots", params={"branch": "hovedbiblioteket"}
        ).json()["slots"]
        start = next(
            datetime.fromisoformat(s["start"])
            for s in slots
            if datetime.fromisoformat(s["start"]).astimezone(CPH).hour >= 11
        )
        codes = [_book(http, service, start, n) for n, service in enumerate(BOOKED)]
    # Interleaved, as citizens arrive: the list shows every errand, not one block each. The
    # bookings check in early, as many do, between the walk-ins.
    arrivals = [s for n in range(max(WALK_INS.values())) for s, k in WALK_INS.items() if k > n]
    check_ins = {20 + n: code for n, code in enumerate(codes)}
    booked = []
    for n, service in enumerate(arrivals):
        set_clock(site, start - timedelta(minutes=50) + timedelta(seconds=70 * n))
        if n in check_ins:
            kiosk = site.kiosk
            checked_in = site.client.post(
                f"{BRANCH}/checkins", json={"code": check_ins[n]}, headers=kiosk
            )
            assert checked_in.status_code == 201, checked_in.text
            booked.append(checked_in.json()["number"])
        site.issue(service)
    # Inside the bookings' call window: two are called first, the third waits, marked.
    set_clock(site, start - timedelta(minutes=4))
    parked = site.call_next(counter=COUNTER)
    park = site.client.post(f"/api/v1/tickets/{parked['id']}/park", headers=site.staff)
    assert park.status_code == 200, park.text
    current = site.call_next(counter=COUNTER)
    # A printer that cannot be reached: the banner every counter page shows is up as well.
    use_printer(site, f"network://127.0.0.1:{free_port()}")
    site.issue("laan")
    return Morning(current["number"], parked["number"], booked)


def _book(http: httpx.Client, service: str, start: datetime, n: int) -> str:
    booked = http.post(
        "/api/v1/bookings",
        json={
            "branch": "hovedbiblioteket",
            "service": service,
            "start": start.isoformat(),
            "name": ["Åse Ærø Østergaard", "Bjørn Kragh-Jacobsen", "Ida Nørgaard"][n],
            "email": f"borger{n}@example.dk",
        },
    )
    assert booked.status_code == 201, booked.text
    return str(booked.json()["code"])


def out_of_sight(page: Any) -> list[str]:
    """Scrolling, whatever a clerk must see that lies outside the viewport or is cut off by
    the panel around it, and panels whose columns run off their side."""
    return list(
        page.evaluate(
            """(selectors) => {
          const problems = [];
          const root = document.documentElement;
          if (root.scrollHeight > innerHeight) problems.push(`scrolls to ${root.scrollHeight}`);
          if (root.scrollWidth > innerWidth) problems.push(`is ${root.scrollWidth} wide`);
          const where = (r) => `${Math.round(r.left)},${Math.round(r.top)}-` +
            `${Math.round(r.right)},${Math.round(r.bottom)}`;
          for (const selector of selectors) {
            const found = [...document.querySelectorAll(selector)];
            if (!found.length) problems.push(`${selector} missing`);
            for (const el of found) {
              if (el.closest('[hidden]') || getComputedStyle(el).display === 'none') continue;
              const r = el.getBoundingClientRect();
              const name = `${selector} "${el.textContent.trim().slice(0, 30)}"`;
              if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth)
                problems.push(`${name} at ${where(r)}`);
              for (let box = el.parentElement; box; box = box.parentElement) {
                if (getComputedStyle(box).overflow === 'visible') continue;
                const c = box.getBoundingClientRect();
                if (r.top < c.top - 1 || r.bottom > c.bottom + 1 || r.left < c.left - 1 ||
                    r.right > c.right + 1)
                  problems.push(`${name} cut off at ${where(r)} by ${box.className}`);
              }
            }
          }
          for (const box of document.querySelectorAll('.panel, .ticket-list'))
            if (box.scrollWidth > box.clientWidth + 1)
              problems.push(`${box.className} runs ${box.scrollWidth - box.clientWidth} px over`);
          return problems;
        }""",
            MUST_SEE,
        )
    )


def listed_numbers(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "#current-number, #waiting-list .ticket-number, #parked-list .ticket-number",
            "els => els.map(e => e.textContent.trim())",
        )
    )


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_counter_fits_a_busy_morning_without_scrolling(
    browser: Any, live_demo: Site, width: int, height: int, lang: str
) -> None:
    site = live_demo
    morning = busy_morning(site)
    context = browser.new_context(locale="da-DK", viewport={"width": width, "height": height})
    context.set_default_timeout(5000)
    try:
        page = context.new_page()
        log_in(page, site, counter=COUNTER)
        page.goto(f"{site.url}/counter?counter={COUNTER}&lang={lang}")
        page.reload()
        ready = "() => !document.querySelector('[data-action=\"recall\"]').disabled"
        page.wait_for_function(ready)
        page.locator("#printer-alerts p").first.wait_for()
        SHOTS.mkdir(exist_ok=True)
        shot = SHOTS / f"counter-{width}x{height}-{lang}"
        page.screenshot(path=f"{shot}.png")
        numbers = listed_numbers(page)
        first_view = out_of_sight(page)

        page.keyboard.press("g")
        page.locator("#message", has_text=TEXTS[lang]["recalled"]).wait_for()
        after_success = out_of_sight(page)
        page.keyboard.press("b")
        page.locator("#message", has_text=TEXTS[lang]["serving"]).wait_for()
        # Serving: a particular number may be called, and a wrong one is said where it shows.
        field = page.locator("#call-number")
        field.fill("Z999")
        field.press("Enter")
        page.locator("#message", has_text=TEXTS[lang]["unknown"]).wait_for()
        page.screenshot(path=f"{shot}-message.png")
        after_failure = out_of_sight(page)
        violations = axe_violations(page)

        site.stop()
        page.locator("#offline").wait_for()
        page.screenshot(path=f"{shot}-offline.png")
        offline = out_of_sight(page)
    finally:
        context.close()

    assert numbers[0] == morning.current
    # The booking due now is who "call next" takes: first in line, ahead of earlier walk-ins.
    assert numbers[1] == morning.booked[2]
    assert morning.parked in numbers and set(morning.booked) <= set(numbers)
    assert len(numbers) == len(set(numbers)), numbers
    assert first_view == []
    assert after_failure == []
    assert after_success == []
    assert offline == []
    assert violations == []
