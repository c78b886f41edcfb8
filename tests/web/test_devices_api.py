"""GET /api/v1/branches/{branch}/devices: the branch's kiosks and displays, for staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skranke.queue.accounts import hash_token, upsert_device
from skranke.queue.issuing import PrinterProblem, alert
from skranke.queue.states import DeviceKind
from skranke.store import Conn, branches, print_jobs
from skranke.store.accounts import device_by_token
from tests.site import Site
from tests.web.test_api import other_branch_staff

PATH = "/api/v1/branches/hovedbiblioteket/devices"
KIOSK = ("kiosk-1", DeviceKind.KIOSK, "hovedbiblioteket")
PRINTER = "network://10.0.0.5:9100"


def test_staff_see_each_device_with_its_last_contact_and_printer_state(demo: Site) -> None:
    ticket = demo.issue()
    printed_at = datetime.now(UTC).replace(microsecond=0)

    def kiosk_printed_and_then_ran_out_of_paper(conn: Conn) -> None:
        # A printer is given to the kiosk and its job printed in one transaction, so the
        # spooler never finds a job of its own to try.
        token = upsert_device(conn, *KIOSK, name="Kiosk ved indgangen", printer_url=PRINTER)
        device = device_by_token(conn, hash_token(token))
        assert device is not None
        job = print_jobs.insert_job(conn, device.id, ticket["id"], {}, printed_at)
        assert job is not None
        assert print_jobs.claim(conn, job, printed_at, timedelta(seconds=30))
        assert print_jobs.printed(conn, job, printed_at)
        branch_id = branches.row(conn, "hovedbiblioteket").id
        alert(conn, branch_id, "kiosk-1", PrinterProblem.PAPER_OUT, "no paper", printed_at)

    demo.write(kiosk_printed_and_then_ran_out_of_paper)
    response = demo.client.get(PATH, headers=demo.staff)

    assert response.status_code == 200, response.text
    found = {d["key"]: d for d in response.json()}
    kiosk, display = found["kiosk-1"], found["display-1"]
    assert (kiosk["kind"], kiosk["name"]) == ("kiosk", "Kiosk ved indgangen")
    assert datetime.fromisoformat(kiosk["last_contact"]) == printed_at
    assert (kiosk["printer"], kiosk["printer_detail"]) == ("paper_out", "no paper")
    assert display["kind"] == "display" and display["last_contact"] is None
    assert display["printer"] is None


def test_a_kiosk_printer_without_problems_is_ok_again_after_recovery(demo: Site) -> None:
    now = datetime.now(UTC)

    def printer_came_back(conn: Conn) -> None:
        upsert_device(conn, *KIOSK, printer_url=PRINTER)
        branch_id = branches.row(conn, "hovedbiblioteket").id
        alert(conn, branch_id, "kiosk-1", PrinterProblem.OFFLINE, "offline", now)
        alert(conn, branch_id, "kiosk-1", None, "", now + timedelta(seconds=1))

    demo.write(printer_came_back)
    kiosk = {d["key"]: d for d in demo.client.get(PATH, headers=demo.staff).json()}["kiosk-1"]

    assert (kiosk["printer"], kiosk["printer_detail"]) == ("ok", "")


def test_staff_of_another_branch_and_devices_cannot_list_the_devices(demo: Site) -> None:
    outsider = other_branch_staff(demo)

    other = demo.client.get(PATH, headers=outsider)
    kiosk = demo.client.get(PATH, headers=demo.kiosk)
    anonymous = demo.client.get(PATH)

    assert other.status_code == 403 and other.json()["error"] == "forbidden"
    assert kiosk.status_code == 403
    assert anonymous.status_code == 401
