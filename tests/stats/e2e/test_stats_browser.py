"""In Chromium: the supervisor follows the room live; the three pages pass axe-core.

Screenshots at 1366 x 768 go to /tmp/stats-shots/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import axe_violations
from tests.e2e.test_kiosk import use_printer
from tests.printers.helpers import EmulatorThread
from tests.site import Site, served
from tests.stats.conftest import DAY_QUERY, setup_day

SHOTS = Path("/tmp/stats-shots")
BEEP_COUNTER = """
window.__tones = 0;
const original = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__tones += 1;
  return original.call(this);
};
"""
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="da-DK", viewport=VIEWPORT)
    context.set_default_timeout(5000)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Any, site: Site, user: str = "admin", password: str = "demo-admin") -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Brugernavn").fill(user)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/admin**")


def shot(page: Any, name: str, full: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_the_supervisor_shows_a_call_and_a_printer_going_away(
    page: Any, sqlite_db: str, tmp_path: Path
) -> None:
    printer = EmulatorThread(tmp_path / "out").__enter__()
    with served(sqlite_db, public_url=None) as site:
        use_printer(site, printer.url)
        kiosk = {"Authorization": f"Bearer {site.creds.kiosk_token}"}
        tickets = f"{site.url}/api/v1/branches/{site.branch}/tickets"
        httpx.post(tickets, json={"service": "flytning"}, headers=kiosk).raise_for_status()
        # Counts the tones the page starts, so the alert's beep can be heard by the test.
        page.add_init_script(BEEP_COUNTER)
        log_in(page, site)
        page.goto(f"{site.url}/supervisor")
        counter = page.locator('[data-counter="2"]')
        counter.wait_for()
        page.get_by_role("button", name="Slå lyd til ved alarmer").click()
        page.wait_for_function("window.__tones >= 1")  # the click's own short tone
        beeps_before = page.evaluate("window.__tones")
        queue = page.locator('[data-service="flytning"]')
        assert queue.locator("td").nth(1).inner_text() == "1"

        site.call_next(2)
        counter.get_by_text("F001").wait_for(timeout=5000)
        assert "Åben" in counter.inner_text() and "staff" in counter.inner_text()

        printer.__exit__(None, None, None)  # the printer goes away
        httpx.post(tickets, json={"service": "flytning"}, headers=kiosk).raise_for_status()
        alert = page.get_by_role("alert").filter(has_text="Printeren ved kiosk-1")
        alert.wait_for(timeout=5000)
        # The alert's beep: three notes.
        page.wait_for_function(f"window.__tones >= {beeps_before} + 3")
        violations = axe_violations(page)
        shot(page, "supervisor")

    assert violations == []
    assert page.get_by_role("button", name="Slå lyd fra").get_attribute("aria-pressed") == "true"
    assert page.locator('[data-device="kiosk-1"] .device-bad').count() == 1


@pytest.fixture
def day_site(sqlite_db: str) -> Iterator[Site]:
    tokens: dict[str, str] = {}
    with served(sqlite_db, setup_day(tokens), public_url=None) as site:
        yield site


def test_the_statistics_page_reads_well_and_passes_axe(page: Any, day_site: Site) -> None:
    log_in(page, day_site)
    page.goto(f"{day_site.url}/admin/stats?{DAY_QUERY}")
    page.get_by_role("heading", name="Statistik", level=1).wait_for()
    shot(page, "stats")
    shot(page, "stats-full", full=True)
    for details in page.locator("details.data").all():
        details.locator("summary").click()
    violations = axe_violations(page)
    page.goto(f"{day_site.url}/admin/stats?{DAY_QUERY}&lang=en")
    english = axe_violations(page)

    assert violations == [] and english == []
    assert page.get_by_role("img", name="Tickets by service and source").count() == 1


def test_the_audit_trail_reads_well_and_passes_axe(page: Any, day_site: Site) -> None:
    log_in(page, day_site)
    page.goto(f"{day_site.url}/admin/audit?from=2026-11-24&to=2026-11-24")
    page.get_by_role("heading", name="Revisionsspor", level=1).wait_for()
    shot(page, "audit")
    shot(page, "audit-full", full=True)
    violations = axe_violations(page)

    assert violations == []
    assert page.get_by_role("cell", name="F001").count() >= 1
