"""`skranke create-user`: every staff user works at named branches; admins at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from skranke.cli import main
from skranke.queue.accounts import create_user
from skranke.queue.errors import InvalidInput
from skranke.queue.states import Role


def test_create_user_refuses_a_staff_user_without_a_branch(
    sqlite_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SKRANKE_NEW_PASSWORD", "correct horse battery")

    code = main(["--database-url", sqlite_db, "create-user", "mette", "--role", "staff"])
    token = main(["--database-url", sqlite_db, "create-token", "mette"])

    assert code == 2
    assert "--role staff or manager needs --branch KEY" in capsys.readouterr().err
    assert token == 2  # no such user was made


def test_create_user_makes_an_admin_without_a_branch(
    sqlite_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SKRANKE_NEW_PASSWORD", "correct horse battery")

    code = main(["--database-url", sqlite_db, "create-user", "ada", "--role", "admin"])

    assert code == 0
    assert "Created admin user 'ada'" in capsys.readouterr().out


def test_the_domain_refuses_a_staff_user_without_a_branch_too() -> None:
    # Refused before any database work, so no connection is needed.
    with pytest.raises(InvalidInput, match="Expected at least one branch for staff user 'bo'"):
        create_user(None, "bo", "correct horse battery", Role.STAFF, [])  # type: ignore[arg-type]


def test_a_command_on_an_unmigrated_database_says_so_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "config", "export"])

    err = capsys.readouterr().err
    assert code == 1
    assert "no such table" in err and "skranke migrate" in err and "Traceback" not in err
