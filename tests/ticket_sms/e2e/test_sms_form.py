"""The SMS form in Chromium: usable without script, readable, and clean for axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import axe_violations
from tests.site import Site, served, tracking_of


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    with served(sqlite_db, jobs_enabled=False) as found:
        yield found


def fourth_in_line(site: Site, language: str) -> str:
    tickets = [
        site.client.post(
            f"/api/v1/branches/{site.branch}/tickets",
            json={"service": "flytning", "language": language},
            headers=site.kiosk,
        ).json()
        for _ in range(4)
    ]
    return tracking_of(tickets[3])


def box(locator: Any) -> tuple[float, float]:
    found = locator.bounding_box()
    return found["width"], found["height"]


@pytest.mark.parametrize("language", ["da", "ar"])
def test_asking_for_an_sms_in_the_browser_passes_axe_in_every_state(
    page: Any, site: Site, language: str
) -> None:
    tracking = fourth_in_line(site, language)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/t/{tracking}")
    found: dict[str, list[str]] = {"form": axe_violations(page)}
    field = page.locator("#sms-phone")
    button = page.locator(".sms form button")
    sizes = [box(field), box(button)]

    field.fill("12 34")
    button.click()
    page.wait_for_selector("#sms-error")
    found["error"] = axe_violations(page)
    error_shown = page.locator("#sms-error").is_visible()
    page.locator("#sms-phone").fill("12 34 56 78")
    page.locator(".sms form button").click()
    page.wait_for_selector(".sms .notice")
    found["asked"] = axe_violations(page)
    asked = page.locator(".sms .notice").inner_text()

    assert found == {"form": [], "error": [], "asked": []}
    assert all(height >= 44 and width >= 44 for width, height in sizes)
    assert error_shown
    assert "5678" in asked
