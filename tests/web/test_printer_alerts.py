"""A kiosk printer's unsolved problem is part of what a counter shows staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skranke.queue.issuing import PrinterProblem, alert
from skranke.store import Conn, branches
from tests.site import Site


def printer_alert(site: Site, problem: PrinterProblem | None, at: datetime) -> None:
    def write(conn: Conn) -> None:
        branch_id = branches.row(conn, "hovedbiblioteket").id
        alert(conn, branch_id, "kiosk-1", problem, "network://10.0.0.5:9100: offline", at)

    site.write(write)


def counter_printers(site: Site) -> list[dict[str, object]]:
    response = site.client.get("/api/v1/counters/2/status", headers=site.staff)
    assert response.status_code == 200, response.text
    printers: list[dict[str, object]] = response.json()["printers"]
    return printers


def test_the_counter_shows_a_printer_problem_until_the_printer_recovers(site: Site) -> None:
    now = datetime.now(UTC)
    assert counter_printers(site) == []

    printer_alert(site, PrinterProblem.OFFLINE, now)
    shown = counter_printers(site)
    printer_alert(site, None, now + timedelta(seconds=1))

    assert [(p["device"], p["problem"]) for p in shown] == [("kiosk-1", "offline")]
    assert shown[0]["detail"] == "network://10.0.0.5:9100: offline"
    assert counter_printers(site) == []


def test_the_newest_problem_of_a_printer_is_the_one_shown(site: Site) -> None:
    now = datetime.now(UTC)
    printer_alert(site, PrinterProblem.PAPER_LOW, now)
    printer_alert(site, PrinterProblem.PAPER_OUT, now + timedelta(seconds=1))

    assert [p["problem"] for p in counter_printers(site)] == ["paper_out"]
