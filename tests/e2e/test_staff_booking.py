"""Booking for a citizen from the counter page, in Chromium: without JavaScript, and axe-clean."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import axe_violations
from tests.hours.conftest import Clock, local, with_branch
from tests.site import Site, served

SHOTS = Path("/tmp/hours-shots")


@pytest.fixture
def desk_site(sqlite_db: str) -> Iterator[Site]:
    # Tuesday 9:00: passport times from 10:00 (the lead time), as online.
    clock = Clock(local(2026, 12, 8, 9, 0))
    with served(sqlite_db, with_branch(), state={"clock": clock}) as site:
        yield site


def log_in_and_open_the_desk(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/counter")
    page.get_by_label("Brugernavn").fill("staff")
    page.get_by_label("Adgangskode").fill("demo-staff")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name="Skranke 2").click()
    page.get_by_role("link", name="Bestil tid for en borger").click()


def book_one(page: Any) -> str:
    page.locator("#service").select_option("pas")
    page.locator(".staff-book-choose button").click()
    page.locator('input[name="start"]').first.check()
    page.locator("#name").fill("Karen Blixen")
    page.locator("#phone").fill("12 34 56 78")
    page.locator(".staff-book-form button[type=submit]").click()
    code: str = page.locator(".book-code").inner_text()
    return code


def test_staff_book_for_a_citizen_without_javascript(browser: Any, desk_site: Site) -> None:
    context = browser.new_context(locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        log_in_and_open_the_desk(page, desk_site)
        code = book_one(page)
        assert re.fullmatch(r"[A-Z0-9]{6}", code)
        assert "Bekræftelsen sendes til +4512345678." in page.locator("body").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_booking_desk_passes_axe(browser: Any, desk_site: Site, lang: str) -> None:
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        log_in_and_open_the_desk(page, desk_site)
        if lang == "en":
            page.get_by_role("link", name="English").click()
        assert axe_violations(page) == []
        page.locator("#service").select_option("pas")
        page.locator(".staff-book-choose button").click()
        assert axe_violations(page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"staff-book-{lang}.png"), full_page=True)
        # Every problem at once, next to its field.
        page.locator(".staff-book-form button[type=submit]").click()
        assert page.locator("[aria-invalid=true]").count() >= 3
        assert axe_violations(page) == []
        page.locator('input[name="start"]').first.check()
        page.locator("#name").fill("Karen Blixen")
        page.locator("#email").fill("karen@example.dk")
        page.locator(".staff-book-form button[type=submit]").click()
        page.locator(".book-code").wait_for()
        assert axe_violations(page) == []
    finally:
        context.close()
