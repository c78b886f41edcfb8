"""A live site the browser tests can restart on the same port, and helpers for its pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.site import Site, served

# Records what the page would say instead of saying it; the end is reported like a real engine.
SPEECH_STUB = """
window.__spoken = [];
const fakeSpeech = {
  speak(u) {
    window.__spoken.push({ text: u.text, lang: u.lang });
    setTimeout(() => u.onend && u.onend(), 10);
  },
  cancel() {}, getVoices() { return []; }, speaking: false, pending: false,
};
Object.defineProperty(window, "speechSynthesis", { value: fakeSpeech, configurable: true });
if (typeof window.SpeechSynthesisUtterance === "undefined") {
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ""; }
  };
}
"""


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    # Public at its own address and port, so a restarted server is back where pages expect it.
    with served(sqlite_db, public_url=None) as site:
        yield site


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Opens pages in separate Danish browser contexts, like separate machines."""
    contexts: list[Any] = []

    def open_page(*, speech_stub: bool = False) -> Any:
        context = browser.new_context(locale="da-DK")
        context.set_default_timeout(5000)
        if speech_stub:
            context.add_init_script(SPEECH_STUB)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


def log_in(page: Any, site: Site, counter: int = 2) -> None:
    page.goto(f"{site.url}/counter")
    page.get_by_label("Brugernavn").fill("staff")
    page.get_by_label("Adgangskode").fill("demo-staff")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name=f"Skranke {counter}").click()
    page.get_by_role("heading", name=f"Skranke {counter}", level=1).wait_for()
