"""Kiosk tickets through the HTTP API, printed to the emulator over real TCP."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.web.app import create_app
from tests.printers.conftest import TICKETS, Site
from tests.printers.helpers import EmulatorThread, wait_for


def test_a_ticket_prints_at_the_kiosk_printer_with_number_service_and_qr(
    site: Site, tmp_path: Path
) -> None:
    with EmulatorThread(tmp_path) as emulator:
        site.use_printer(emulator.url)

        response = site.issue("flytning")
        (printed,) = emulator.wait_for_tickets(1)

    ticket = response.json()
    assert response.status_code == 201
    assert ticket["print"] == {"status": "printed", "detail": ""}
    # The number and the service line are drawn images (one style in every language).
    assert printed.count("[IMAGE 512x") == 2
    assert f"[QR] {ticket['tracking_url']}" in printed
    assert wait_for(lambda: site.job(ticket["id"])["status"] == "printed")


def test_printer_offline_the_ticket_is_issued_staff_are_alerted_and_it_prints_later(
    site: Site, tmp_path: Path, closed_port: int
) -> None:
    site.use_printer(f"network://127.0.0.1:{closed_port}")

    response = site.issue("flytning")
    alerts = wait_for(lambda: site.recorded("printer.alert"), what="a printer alert")
    with EmulatorThread(tmp_path, port=closed_port) as emulator:
        (printed,) = emulator.wait_for_tickets(1)
        job = wait_for(lambda: (j := site.job(response.json()["id"]))["status"] == "printed" and j)

    ticket = response.json()
    assert response.status_code == 201
    assert ticket["print"]["status"] == "failed"
    assert alerts[0]["payload"]["device"] == "kiosk-1"
    assert alerts[0]["payload"]["problem"] == "unreachable"
    assert any(e["type"] == "printer.alert" for e in site.published)
    assert f"[QR] {ticket['tracking_url']}" in printed
    assert job["attempts"] >= 2
    assert wait_for(lambda: site.recorded("printer.recovered"))


def test_a_bad_printer_url_fails_once_and_is_never_retried(site: Site) -> None:
    site.use_printer("bogus://printer")

    response = site.issue("flytning")
    time.sleep(0.5)  # several retry periods

    job = site.job(response.json()["id"])
    assert response.status_code == 201
    assert response.json()["print"]["status"] == "failed"
    assert (job["status"], job["attempts"]) == ("failed", 1)
    assert "Expected a printer URL" in job["last_error"]
    assert site.recorded("printer.alert")[0]["payload"]["problem"] == "misconfigured"


def test_a_ticket_issued_by_staff_is_not_printed(site: Site, tmp_path: Path) -> None:
    with EmulatorThread(tmp_path) as emulator:
        site.use_printer(emulator.url)

        response = site.client.post(
            TICKETS,
            json={"service": "flytning"},
            headers={"Authorization": f"Bearer {site.staff_token}"},
        )

    assert response.status_code == 201
    assert response.json()["print"]["status"] == "no_printer"


def test_a_repeated_request_with_the_same_idempotency_key_gets_the_same_ticket(
    site: Site,
) -> None:
    first = site.issue("laan", key="tap-1")
    again = site.issue("laan", key="tap-1")
    other = site.issue("laan", key="tap-2")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json()["number"] != first.json()["number"]


def test_a_double_tap_racing_with_one_key_yields_one_ticket(site: Site) -> None:
    results: list[httpx.Response] = []
    start = threading.Barrier(2)

    def tap() -> None:
        start.wait()
        results.append(site.issue("laan", key="double-tap"))

    taps = [threading.Thread(target=tap) for _ in range(2)]
    for t in taps:
        t.start()
    for t in taps:
        t.join(10)

    assert [r.status_code for r in results] == [201, 201]
    assert results[0].json()["number"] == results[1].json()["number"]
    queue = site.client.get("/api/v1/branches/hovedbiblioteket/queue").json()
    assert {q["service"]: q["waiting"] for q in queue}["laan"] == 1


def test_an_unusable_idempotency_key_is_a_json_400(site: Site) -> None:
    response = site.issue("laan", key="x" * 101)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_idempotency_key"


def test_the_spooler_runs_only_while_the_app_does(sqlite_db: str) -> None:
    app = create_app(Settings(database_url=sqlite_db))
    with TestClient(app):
        task = app.state.spooler._task
        assert task is not None and not task.done()

    assert task.done()
