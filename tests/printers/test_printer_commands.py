"""The printer commands as installed: `skranke printer-emulator` and `skranke print-agent`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from skranke.printers.connections import printer_from_url
from skranke.printers.render import render_ticket
from skranke.printers.ticket import TicketPrint
from tests.printers.helpers import wait_for


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
        text = saved[0].read_text(encoding="utf-8")
        assert (
            "Dit nummer\n[IMAGE 512x128]" in text
            and "[QR] https://skranke.example.dk/t/7f3a9c" in text
        )
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
