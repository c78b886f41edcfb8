"""The kiosk page and its QR codes, as served (the browser tests drive it for real)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from skranke.printers.connections import printer_from_url
from skranke.printers.render import render_ticket
from skranke.printers.ticket import TicketPrint
from skranke.web.kiosk import service_name
from tests.printers.conftest import Site
from tests.printers.helpers import wait_for


def test_kiosk_page_groups_services_and_marks_those_that_need_a_booking(site: Site) -> None:
    response = site.client.get("/kiosk/kiosk-1")

    page = response.text
    assert response.status_code == 200
    assert '<html lang="da" dir="ltr">' in page
    assert page.index(">Bibliotek<") < page.index(">Borgerservice<")
    assert 'data-service="flytning"' in page and 'data-service="laan"' in page
    # Passport needs a booking: shown, but no button to tap.
    assert 'data-service="pas"' not in page
    services = site.client.get("/api/v1/branches/hovedbiblioteket/services").json()
    booked = [s["name"]["da"] for s in services if not s["walk_in"]]
    listed = re.findall(r'<li class="kiosk-service--booking"><bdi>([^<]+)</bdi>', page)
    assert "Pas" in booked and sorted(listed) == sorted(booked)
    assert "Kræver tidsbestilling" in page
    assert response.headers["cache-control"] == "no-store"


def test_kiosk_page_in_arabic_is_right_to_left_with_translated_services(site: Site) -> None:
    page = site.client.get("/kiosk/kiosk-1?lang=ar").text

    assert '<html lang="ar" dir="rtl">' in page
    assert "تغيير العنوان" in page  # flytning
    assert 'lang="da" dir="auto">Flytning</span>' in page


@pytest.mark.parametrize("lang", ["da", "en", "uk", "ar", "pl", "tr"])
def test_every_kiosk_language_has_every_kiosk_text(lang: str) -> None:
    import json

    locale = Path(__file__).resolve().parents[2] / "skranke" / "web" / "locale"
    danish = json.loads((locale / "da" / "kiosk.json").read_text(encoding="utf-8"))
    own = json.loads((locale / lang / "kiosk.json").read_text(encoding="utf-8"))

    assert set(danish) - set(own) == set()
    assert all(own[key].count("{") == danish[key].count("{") for key in danish)


def test_service_names_fall_back_to_english_where_no_translation_exists() -> None:
    assert service_name("uk", "flytning", "Flytning", "Change of address") == "Зміна адреси"
    assert service_name("uk", "hundeskat", "Hundeskat", "Dog tax") == "Dog tax"
    assert service_name("da", "flytning", "Flytning", "Change of address") == "Flytning"


@pytest.mark.parametrize("path", ["/kiosk/display-1", "/kiosk/no-such-kiosk"])
def test_a_page_for_something_that_is_no_kiosk_is_a_404(site: Site, path: str) -> None:
    assert site.client.get(path).status_code == 404


def test_qr_code_is_an_svg_of_the_phone_page_link(site: Site) -> None:
    response = site.client.get("/qr/t/7f3a9cAbcdEf_-12.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg") or response.text.startswith("<?xml")
    assert "immutable" in response.headers["cache-control"]


def test_qr_codes_are_made_only_for_tracking_tokens(site: Site) -> None:
    assert site.client.get("/qr/t/a%20b%3Cscript%3E.svg").status_code == 404


def test_printer_emulator_command_saves_a_ticket(
    tmp_path: Path, danish_ticket: TicketPrint
) -> None:
    command = [sys.executable, "-m", "skranke", "printer-emulator", "--port", "0"]
    emulator = subprocess.Popen(
        [*command, "--out", str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert emulator.stdout is not None
        line = emulator.stdout.readline()  # "... listening on ('127.0.0.1', 41234); ..."
        port = int(line.split("', ")[1].split(")")[0])

        printer_from_url(f"network://127.0.0.1:{port}", timeout=5).send(
            render_ticket(danish_ticket)
        )

        saved = wait_for(lambda: list(tmp_path.glob("ticket-1.txt")), what="a saved ticket")
        assert "[LARGE 4x4] K012" in saved[0].read_text(encoding="utf-8")
    finally:
        emulator.terminate()
        emulator.wait(10)


def test_print_agent_command_needs_a_token() -> None:
    arguments = ["--server", "http://127.0.0.1:1", "--device", "kiosk-1", "--printer", "dummy://"]
    result = subprocess.run(
        [sys.executable, "-m", "skranke", "print-agent", *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )

    assert result.returncode == 2
    assert "needs --token or SKRANKE_AGENT_TOKEN" in result.stderr
