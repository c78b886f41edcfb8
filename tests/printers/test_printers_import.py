from __future__ import annotations

import subprocess
import sys


def test_importing_the_printers_package_has_no_side_effects() -> None:
    # python-escpos' printer database writes a temp dir and configures logging on import.
    script = (
        "import logging, sys\n"
        "import skranke.printers.connections, skranke.printers.emulator\n"
        "import skranke.printers.render, skranke.printers.ticket\n"
        "import skranke.printers.spooler, skranke.printers.agent, skranke.store.print_jobs\n"
        "assert 'escpos.capabilities' not in sys.modules, 'escpos.capabilities imported'\n"
        "assert not logging.getLogger().handlers, 'root logger configured'\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
