"""The unit files in systemd/: a structural check always, `systemd-analyze verify` when present."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "systemd"
NAMES = ["skranke.service", "skranke-print-agent.service", "skranke-kiosk-browser@.service"]
Unit = dict[str, dict[str, list[str]]]


def parse_unit(text: str) -> Unit:
    """Sections of key → values; systemd allows a key several times and `\\` continuations."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1].rstrip() + " "
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        if section is None or "=" not in line:
            raise ValueError(f"Expected 'Key=value' inside a [Section], but got {line!r}")
        key, value = (part.strip() for part in line.split("=", 1))
        section.setdefault(key, []).append(value)
    return unit


def problems(unit: Unit) -> list[str]:
    found = [f"no [{name}] section" for name in ("Unit", "Service", "Install") if name not in unit]
    service = unit.get("Service", {})
    if not unit.get("Unit", {}).get("Description"):
        found.append("no Description=")
    starts = service.get("ExecStart", [])
    if len(starts) != 1:
        found.append(f"expected one ExecStart=, got {len(starts)}")
    for command in starts + service.get("ExecStartPre", []):
        if not command.lstrip("-@:+!").startswith("/"):
            found.append(f"command without an absolute path: {command!r}")
    if not unit.get("Install", {}).get("WantedBy"):
        found.append("no WantedBy= (cannot be enabled)")
    if not ({"User", "DynamicUser"} & service.keys()):
        found.append("runs as root: no User= or DynamicUser=")
    if service.get("ProtectSystem", [""])[-1] not in ("strict", "full"):
        found.append("ProtectSystem= is not strict or full")
    if service.get("PrivateTmp", [""])[-1] != "yes":
        found.append("no PrivateTmp=yes")
    if not service.get("Restart"):
        found.append("no Restart=")
    return found


@pytest.mark.parametrize("name", NAMES)
def test_unit_file_has_what_systemd_and_a_careful_admin_need(name: str) -> None:
    unit = parse_unit((UNITS / name).read_text(encoding="utf-8"))

    assert problems(unit) == []


@pytest.mark.parametrize("name", ["skranke.service", "skranke-print-agent.service"])
def test_python_services_give_escpos_a_directory_for_its_printer_database(name: str) -> None:
    unit = parse_unit((UNITS / name).read_text(encoding="utf-8"))

    environment = " ".join(unit["Service"].get("Environment", []))
    assert "ESCPOS_CAPABILITIES_PICKLE_DIR=/var/cache/" in environment
    assert unit["Service"]["NoNewPrivileges"] == ["yes"]


def test_the_structural_check_notices_a_careless_unit() -> None:
    unit = parse_unit("[Unit]\nDescription=x\n[Service]\nExecStart=skranke serve \\\n  --port 1\n")

    assert problems(unit) == [
        "no [Install] section",
        "command without an absolute path: 'skranke serve --port 1'",
        "no WantedBy= (cannot be enabled)",
        "runs as root: no User= or DynamicUser=",
        "ProtectSystem= is not strict or full",
        "no PrivateTmp=yes",
        "no Restart=",
    ]


def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt package systemd); structure checked")
    # verify also demands that every command exists: point the ones only a deployed machine
    # has at executables this one has, and give the template unit an instance name.
    skranke = str(Path(sys.executable).with_name("skranke"))
    stand_ins = {"/opt/skranke/venv/bin/skranke": skranke, "/usr/bin/cage": shutil.which("true")}
    copies = []
    for name in NAMES:
        text = (UNITS / name).read_text(encoding="utf-8")
        for deployed, here in stand_ins.items():
            text = text.replace(deployed, str(here)) if not Path(deployed).exists() else text
        copy = tmp_path / name.replace("@.", "@kiosk-1.")
        copy.write_text(text, encoding="utf-8")
        copies.append(str(copy))

    result = subprocess.run(
        [analyze, "verify", *copies], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr, result.stderr
