"""A live site the browser tests can restart on the same port, and helpers for its pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from skranke.config import Settings
from skranke.demo import DemoCredentials
from skranke.migrate import upgrade
from skranke.web.app import create_app
from tests.conftest import run_async
from tests.displays.servers import PortServer, free_port
from tests.e2e.conftest import _load

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


@dataclass
class Site:
    database_url: str
    creds: DemoCredentials
    port: int = 0
    server: PortServer | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Any:
        return create_app(Settings(database_url=self.database_url, public_url=self.url))

    def stop(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None

    def start(self) -> None:
        """Starts a fresh server process state (new app, same database) on the same port."""
        self.port = self.port or free_port()
        self.server = PortServer(self.app(), self.port)
        self.server.__enter__()

    def issue(self, service: str = "flytning") -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.creds.kiosk_token}"}
        response = httpx.post(
            f"{self.url}/api/v1/branches/hovedbiblioteket/tickets",
            json={"service": service},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        ticket: dict[str, Any] = response.json()
        return ticket

    def call_next(self, counter: int) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.creds.staff_token}"}
        response = httpx.post(f"{self.url}/api/v1/counters/{counter}/call-next", headers=headers)
        assert response.status_code == 200, response.text
        ticket: dict[str, Any] = response.json()
        return ticket


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'skranke.db'}"
    upgrade(url)
    creds = run_async(_load(url))
    live = Site(url, creds)
    live.start()
    try:
        yield live
    finally:
        live.stop()


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
