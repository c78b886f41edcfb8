"""Real-browser tests: Playwright driving Debian's Chromium against a real uvicorn server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.site import Site, served

CHROMIUM = os.environ.get("SKRANKE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Spoken announcements must be allowed to play without a click in tests.
    "--autoplay-policy=no-user-gesture-required",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing (make browsers)")
    pytest.skip(f"Chromium not installed at {CHROMIUM}; run `make browsers`")


# Module scope: Playwright's sync API keeps an event loop running on the main thread while it
# is open, and tests after it that call asyncio.run would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def live_demo(sqlite_db: str) -> Iterator[Site]:
    with served(sqlite_db) as site:
        yield site


def axe_violations(page: Any) -> list[str]:
    """WCAG 2.1 AA violations axe-core finds on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh Danish-speaking browser context, like a browser set up in a Danish library."""
    context = browser.new_context(locale="da-DK")
    context.set_default_timeout(5000)
    try:
        yield context.new_page()
    finally:
        context.close()
