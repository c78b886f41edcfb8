"""`skranke demo`: the shipped demo file applied, and tokens that survive the next `make run`."""

from __future__ import annotations

import re
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skranke.cli import main
from skranke.demo import demo_setup
from skranke.queue import administration as admin
from skranke.queue.accounts import Principal, authenticate, principal_for_token
from skranke.queue.states import PrincipalKind, Role
from skranke.store import Conn
from tests.config.municipality import audit_rows, on_db


def _demo(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, str]:
    status = main(["--database-url", url, "demo", *extra])
    out, err = capsys.readouterr()
    assert status == 0, err
    return dict(re.findall(r"^  (\w+) token: +(\S+)$", out, re.MULTILINE))


def test_the_demo_keeps_its_tokens_across_runs(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _demo(sqlite_db, capsys)
    second = _demo(sqlite_db, capsys)

    assert set(first) == {"Kiosk", "Display", "Staff", "Admin"}
    assert second == first
    kiosk = on_db(sqlite_db, principal_for_token, first["Kiosk"])
    assert (kiosk.kind, kiosk.name) == (PrincipalKind.KIOSK, "kiosk-1")


def test_the_demo_keeps_its_tokens_owner_only_beside_the_database(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = _demo(sqlite_db, capsys)

    kept = Path(sqlite_db.removeprefix("sqlite:///")).parent / "demo-devices.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert tokens["Kiosk"] in kept.read_text()


def test_the_demo_rotates_its_tokens_when_asked(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _demo(sqlite_db, capsys)

    rotated = _demo(sqlite_db, capsys, "--rotate-tokens")

    assert rotated["Kiosk"] != first["Kiosk"] and rotated["Display"] != first["Display"]
    assert on_db(sqlite_db, principal_for_token, first["Kiosk"]) is None
    assert on_db(sqlite_db, principal_for_token, rotated["Kiosk"]).name == "kiosk-1"


def test_a_token_the_database_no_longer_knows_is_replaced(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "stale.json"
    stale.write_text('{"kiosk-1": "skd_not-this-one"}')

    tokens = _demo(sqlite_db, capsys, "--tokens-file", str(stale))

    assert tokens["Kiosk"] != "skd_not-this-one"
    assert on_db(sqlite_db, principal_for_token, tokens["Kiosk"]).name == "kiosk-1"


def test_the_demo_people_log_in_with_the_demo_passwords(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo(sqlite_db, capsys)

    def logins(conn: Conn) -> dict[str, object]:
        people = {"admin": "demo-admin", "staff": "demo-staff", "leder": "demo-leder"}
        found = {name: authenticate(conn, name, pw) for name, pw in people.items()}
        return {name: None if login is None else login.role for name, login in found.items()}

    assert on_db(sqlite_db, logins) == {
        "admin": Role.ADMIN,
        "staff": Role.STAFF,
        "leder": Role.MANAGER,
    }


def test_the_demo_is_the_shipped_file_and_a_second_run_changes_nothing(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo(sqlite_db, capsys)
    _demo(sqlite_db, capsys)

    current = on_db(sqlite_db, admin.read_municipality)
    assert admin.plan(current, demo_setup()) == []
    rows = on_db(sqlite_db, audit_rows)
    assert {r.action for r in rows} == {"create", "reset-password"}


def test_a_change_made_in_admin_survives_the_next_demo_run(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo(sqlite_db, capsys)

    def rename(conn: Conn) -> None:
        branch = admin.read_branch(conn, "hovedbiblioteket")
        now = datetime.now(UTC)
        admin.save_branch(conn, _ADMIN, now, replace(branch, name="HB"))

    on_db(sqlite_db, rename)
    _demo(sqlite_db, capsys)

    assert on_db(sqlite_db, admin.read_branch, "hovedbiblioteket").name == "HB"


_ADMIN = Principal(PrincipalKind.ADMIN, "test", Role.ADMIN)
