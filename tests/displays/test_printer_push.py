"""A kiosk printer's problem, and its end, reach the branch's open counter pages at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from skranke.queue.issuing import PrinterProblem, alert
from skranke.store import Conn, branches
from tests.displays.test_sockets import next_of_type
from tests.site import Site


def printer_alert(site: Site, problem: PrinterProblem | None, at: datetime) -> None:
    def write(conn: Conn) -> None:
        branch_id = branches.row(conn, "hovedbiblioteket").id
        alert(conn, branch_id, "kiosk-1", problem, "network://10.0.0.5:9100: paper out", at)

    site.write(write)


def test_a_printer_alert_and_its_recovery_reach_a_counter_socket(site: Site) -> None:
    now = datetime.now(UTC)

    with site.client.websocket_connect("/ws/counter/2", headers=site.staff) as ws:
        snapshot: dict[str, Any] = ws.receive_json()
        printer_alert(site, PrinterProblem.PAPER_OUT, now)
        out = ws.receive_json()
        printer_alert(site, None, now + timedelta(seconds=1))
        back = next_of_type(ws, "printer")

    assert snapshot["printers"] == []
    assert out["type"] == "printer" and out["seq"] == snapshot["seq"] + 1
    assert (out["device"], out["problem"]) == ("kiosk-1", "paper_out")
    assert [p["problem"] for p in out["printers"]] == ["paper_out"]
    assert back["problem"] is None and back["printers"] == []
    assert back["event"] > out["event"] and back["seq"] > out["seq"]


def test_a_counter_page_opened_later_finds_the_problem_in_its_snapshot(site: Site) -> None:
    printer_alert(site, PrinterProblem.OFFLINE, datetime.now(UTC))

    with site.client.websocket_connect("/ws/counter/3", headers=site.staff) as ws:
        snapshot = ws.receive_json()

    assert [(p["device"], p["problem"]) for p in snapshot["printers"]] == [("kiosk-1", "offline")]
