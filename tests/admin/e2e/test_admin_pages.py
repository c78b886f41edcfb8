"""/admin in Chromium: every page passes axe in Danish and English, and a new branch is set up
from nothing but the administration, then serves a citizen from kiosk to counter to display."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from skranke.demo import BRANCH
from skranke.web.admin import PAGES
from tests.e2e.conftest import CHROMIUM_ARGS, axe_violations, browser  # noqa: F401
from tests.site import Site, served

SHOTS = Path("/tmp/admin-shots")
LAPTOP = {"width": 1366, "height": 768}
# A Tuesday morning in Copenhagen (09:30 UTC is 10:30 there): the kiosk issues only in hours.
FROZEN = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
OWN = {"branch": BRANCH, "service": "pas", "device": "kiosk-1", "username": "staff"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    with served(sqlite_db, public_url=None, state={"clock": lambda: FROZEN}) as site:
        yield site


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(locale="da-DK", viewport=LAPTOP)
    context.set_default_timeout(8000)
    try:
        yield context
    finally:
        context.close()


def log_in_as_admin(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Brugernavn").fill("admin")
    page.get_by_label("Adgangskode").fill("demo-admin")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", level=1, name="Oversigt").wait_for()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_every_admin_page_passes_axe_in_danish_and_english(context: Any, site: Site) -> None:
    page = context.new_page()
    log_in_as_admin(page, site)
    found: dict[str, list[str]] = {}

    for lang in ("da", "en"):
        for p in (p for p in PAGES if p.method == "GET"):
            path = p.path.format(**OWN)
            page.goto(f"{site.url}{path}?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            found[f"{lang} {path}"] = axe_violations(page)
            shoot(page, f"{lang}{path.replace('/', '_')}")
        # A form sent back with errors, the summary at the top: axe-clean too.
        page.goto(f"{site.url}/admin/b/{BRANCH}/services/pas?lang={lang}")
        page.locator("#f-prefix").fill("p1")
        page.locator("#f-expected_minutes").fill("mange")
        page.locator("#f-name_da").fill("")
        page.locator("form.admin-form button[type=submit]").first.click()
        page.locator(".error-summary").wait_for()
        found[f"{lang} service errors"] = axe_violations(page)
        shoot(page, f"{lang}_service_errors")

    assert {name: v for name, v in found.items() if v} == {}


def add_service(page: Any, site: Site, key: str, da: str, en: str, area: str, prefix: str) -> None:
    page.goto(f"{site.url}/admin/b/nord/services/new")
    page.get_by_label("Nøgle").fill(key)
    page.get_by_label("Navn (dansk)").fill(da)
    page.get_by_label("Navn (engelsk)").fill(en)
    page.get_by_label("Område").select_option(area)
    page.get_by_label("Bogstav på billetten").fill(prefix)
    page.get_by_role("button", name="Opret ærinde").click()
    page.get_by_role("link", name=da).wait_for()


def add_counter(page: Any, site: Site, number: int, name: str, area: str) -> None:
    page.goto(f"{site.url}/admin/b/nord/counters")
    form = page.locator("section.new-counter")
    form.get_by_label("Nummer").fill(str(number))
    form.get_by_label("Navn").fill(name)
    form.get_by_label("Område").select_option(area)
    form.get_by_role("button", name="Opret skranke").click()
    page.get_by_role("status").get_by_text("Gemt.").wait_for()


def add_device(page: Any, site: Site, key: str, kind: str, name: str) -> str:
    page.goto(f"{site.url}/admin/b/nord/devices")
    form = page.locator("section.card")
    form.get_by_label("Nøgle").fill(key)
    form.get_by_label("Type").select_option(kind)
    form.get_by_label("Navn").fill(name)
    form.get_by_role("button", name="Opret").click()
    url: str = page.locator("#device-url").input_value()
    shoot(page, f"flow_{kind}_token")
    return url


def test_a_new_branch_set_up_only_through_admin_serves_a_citizen(context: Any, site: Site) -> None:
    admin = context.new_page()
    log_in_as_admin(admin, site)

    admin.get_by_role("link", name="Opret filial").click()
    admin.get_by_label("Nøgle").fill("nord")
    admin.locator("#f-name").fill("Filial Nord")
    admin.get_by_label("Adresse", exact=True).fill("Nordvej 1, 9000 Aalborg")
    admin.get_by_role("button", name="Opret filial").click()
    admin.get_by_text("Filial: Filial Nord").wait_for()
    add_service(admin, site, "pas", "Pas", "Passport", "borgerservice", "P")
    add_service(admin, site, "flytning", "Flytning", "Moving", "borgerservice", "F")
    add_service(admin, site, "laan", "Lån", "Loans", "library", "L")
    add_counter(admin, site, 1, "Nord 1", "borgerservice")
    add_counter(admin, site, 2, "Nord 2", "library")
    shoot(admin, "flow_counters")
    admin.goto(f"{site.url}/admin/b/nord/hours")
    for day in WEEKDAYS:
        admin.locator(f"#f-dropin-{day}-0-from").fill("08:00")
        admin.locator(f"#f-dropin-{day}-0-to").fill("20:00")
    admin.get_by_role("button", name="Gem").click()
    admin.get_by_role("status").get_by_text("Gemt.").wait_for()
    shoot(admin, "flow_hours")
    kiosk_url = add_device(admin, site, "kiosk-nord", "kiosk", "Kiosk i Nord")
    display_url = add_device(admin, site, "skaerm-nord", "display", "Skærm i Nord")

    display = context.browser.new_context(locale="da-DK").new_page()
    display.goto(display_url)
    display.get_by_text("Filial Nord").first.wait_for()
    kiosk = context.browser.new_context(locale="da-DK").new_page()
    kiosk.goto(kiosk_url)
    kiosk.wait_for_selector("body[data-ready=true]")
    kiosk.get_by_role("button", name=re.compile("Flytning")).click()
    number = kiosk.locator("[data-field=number]")
    number.wait_for()
    assert number.inner_text() == "F001"
    admin.goto(f"{site.url}/counter")
    admin.get_by_role("link", name=re.compile("Nord 1")).click()
    call_next = admin.get_by_role("button", name="Kald næste")
    admin.wait_for_function("() => !document.querySelector('[data-action=\"call-next\"]').disabled")
    call_next.click()

    display.wait_for_function(
        "() => document.querySelector('.latest-number')?.textContent === 'F001'"
    )
    shoot(display, "flow_display")
