"""A kiosk printer's problem appears on an open counter page by itself, readable to all."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import free_port
from tests.e2e.conftest import axe_violations
from tests.e2e.live.conftest import log_in
from tests.e2e.test_kiosk import use_printer
from tests.site import Site


def test_a_printer_that_cannot_be_reached_shows_a_banner_on_the_counter_page(
    page: Any, live_demo: Site
) -> None:
    # Nothing listens there: the spooler's first try fails and it raises the alert.
    use_printer(live_demo, f"network://127.0.0.1:{free_port()}")
    log_in(page, live_demo)

    httpx.post(
        f"{live_demo.url}/api/v1/branches/hovedbiblioteket/tickets",
        json={"service": "flytning"},
        headers={"Authorization": f"Bearer {live_demo.creds.kiosk_token}"},
    ).raise_for_status()
    banner = page.get_by_role("alert").filter(has_text="Printeren ved kiosk-1")
    banner.wait_for(timeout=5000)
    violations = axe_violations(page)
    page.screenshot(path="/tmp/shots/counter-printer.png", full_page=False)

    assert "Billetter bliver ikke printet" in banner.inner_text()
    assert violations == []
