"""`skranke config apply|export` on SQLite and PostgreSQL: plan, result, and nothing twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skranke.cli import main
from skranke.queue import administration, config_file
from skranke.queue.accounts import authenticate
from skranke.queue.calling import call_next
from skranke.queue.states import TicketSource
from skranke.queue.tickets import issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.store import Conn
from skranke.store import configuration as stored
from tests.config.municipality import audit_rows, five_branches, on_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _apply(url: str, path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    status = main(["--database-url", url, "config", "apply", str(path), *extra])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


def _serve_a_ticket_at(conn: Conn, branch: str, number: int) -> None:
    ticket = issue_ticket(conn, branch, "laan", NOW, QueuePolicy(), source=TicketSource.STAFF)
    branch_id = stored.branch_ids(conn, [branch])[branch]
    counter_id = stored.counter_id(conn, branch_id, number)
    assert counter_id is not None
    called = call_next(conn, counter_id, NOW, QueuePolicy())
    assert called is not None and called.number == ticket.number


def _edit_branch(text: str, branch: str, edit: dict[str, str]) -> str:
    """Apply text replacements to one `[[branches]]` section, as a person editing would."""
    head, *sections = text.split("[[branches]]\n")
    for i, section in enumerate(sections):
        if section.startswith(f'key = "{branch}"'):
            for old, new in edit.items():
                assert old in section, old
                section = section.replace(old, new)
            sections[i] = section
    return "[[branches]]\n".join([head, *sections])


def _without_counter(text: str, branch: str, number: int) -> str:
    pattern = rf"\[\[branches\.counters\]\]\nnumber = {number}\n(?:(?!\[\[).*\n|\n)*"
    head, *sections = text.split("[[branches]]\n")
    for i, section in enumerate(sections):
        if section.startswith(f'key = "{branch}"'):
            sections[i], count = re.subn(pattern, "", section)
            assert count == 1
    return "[[branches]]\n".join([head, *sections])


def test_a_five_branch_file_applied_then_edited(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kommune = tmp_path / "kommune.toml"
    kommune.write_text(config_file.dump(five_branches()))
    first = _apply(database_url, kommune, capsys)
    on_db(database_url, _serve_a_ticket_at, "nord", 3)
    edited = _edit_branch(
        kommune.read_text(),
        "nord",
        {
            'name_da = "Flytning (Filial Nord)"': 'name_da = "Flytning og adresse (Filial Nord)"',
            'mon = [["10:00", "17:00"]]': 'mon = [["09:00", "15:00"]]',
        },
    )
    kommune.write_text(_without_counter(_without_counter(edited, "nord", 3), "syd", 3))

    dry = _apply(database_url, kommune, capsys, "--dry-run")
    applied = _apply(database_url, kommune, capsys)
    again = _apply(database_url, kommune, capsys)

    assert "Plan: 53 create. Applied." in first
    assert first.count("#token=skd_") == 10
    assert dry.splitlines() == [
        "change branch nord",
        '    hours: {"booking": {"mon": [["09:00", "12:00"], ["13:00", "16:00"]], "wed": '
        '[["09:00", "12:00"], ["13:00", "16:00"]]}, "dropin": {"mon": [["10:00", "17:00"]], '
        '"tue": [["10:00", "17:00"]], "wed": [["10:00", "17:00"]], "thu": [["10:00", "17:00"]], '
        '"fri": [["10:00", "17:00"]]}} → {"booking": {"mon": [["09:00", "12:00"], '
        '["13:00", "16:00"]], "wed": [["09:00", "12:00"], ["13:00", "16:00"]]}, "dropin": '
        '{"mon": [["09:00", "15:00"]], "tue": [["10:00", "17:00"]], "wed": [["10:00", "17:00"]], '
        '"thu": [["10:00", "17:00"]], "fri": [["10:00", "17:00"]]}}',
        "change service nord/flytning",
        '    name_da: "Flytning (Filial Nord)" → "Flytning og adresse (Filial Nord)"',
        "deactivate counter nord/3  (left out of the file; deleted instead if it was never used)",
        "deactivate counter syd/3  (left out of the file; deleted instead if it was never used)",
        "Plan: 2 change, 2 deactivate. Dry run: nothing written.",
    ]
    assert applied.splitlines()[-1] == "Plan: 2 change, 2 deactivate. Applied."
    assert again == "Plan: no change. Applied.\n"
    stored_now = on_db(database_url, administration.read_municipality)
    nord, syd = stored_now.branches[1], stored_now.branches[2]
    assert nord.services[1].name_da == "Flytning og adresse (Filial Nord)"
    assert nord.hours["dropin"]["mon"] == [["09:00", "15:00"]]
    # The counter that served a citizen stays, switched off; the unused one is gone.
    assert [(c.number, c.active) for c in nord.counters] == [(1, True), (2, True), (3, False)]
    assert [c.number for c in syd.counters] == [1, 2]


def test_applied_changes_are_audited_as_old_and_new(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kommune = tmp_path / "kommune.toml"
    kommune.write_text(config_file.dump(five_branches()))
    _apply(database_url, kommune, capsys)
    kommune.write_text(kommune.read_text().replace('prefix = "D"', 'prefix = "H"', 1))

    _apply(database_url, kommune, capsys)

    rows = on_db(database_url, lambda conn: audit_rows(conn, entity="service", limit=1))
    (row,) = rows
    assert (row.actor, row.entity_key, row.action) == ("config-file", "centrum/digital", "change")
    assert row.changes == {"prefix": ["D", "H"]}


def test_an_invalid_file_is_refused_with_every_fault_and_nothing_written(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config_file.dump(five_branches())
    text = text.replace('prefix = "P"', 'prefix = "pas"', 1).replace(
        "capacity = 2", "capacity = 0", 1
    )
    kommune = tmp_path / "kommune.toml"
    kommune.write_text(text.replace('kind = "display"', 'kind = "tv"', 1))
    lines = text.splitlines()

    status = main(["--database-url", database_url, "config", "apply", str(kommune)])

    err = capsys.readouterr().err.splitlines()
    prefix_line = lines.index('prefix = "pas"') + 1
    kind_line = lines.index('kind = "display"') + 1
    assert status == 2
    assert err == [
        f"{kommune}:{prefix_line}: branches[0].services[0].prefix: "
        "Expected one or two capital letters, but got 'pas'",
        f"{kommune}:{lines.index('capacity = 0') + 1}: "
        "branches[0].services[0].booking.capacity: Expected 1..500, but got 0",
        f"{kommune}:{kind_line}: branches[0].devices[1].kind: "
        "Expected one of ['kiosk', 'display'], but got 'tv'",
        f"skranke: {kommune} refused, nothing written",
    ]
    assert on_db(database_url, stored.branches) == []


def test_export_piped_into_a_dry_run_plans_no_change(sqlite_db: str, tmp_path: Path) -> None:
    kommune = tmp_path / "kommune.toml"
    kommune.write_text(config_file.dump(five_branches()))
    skranke = [sys.executable, "-m", "skranke.cli", "--database-url", sqlite_db, "config"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    subprocess.run([*skranke, "apply", str(kommune)], check=True, env=env, capture_output=True)

    exported = subprocess.run(
        [*skranke, "export"], check=True, env=env, capture_output=True, text=True
    )
    dry_run = subprocess.run(
        [*skranke, "apply", "--dry-run", "-"],
        input=exported.stdout,
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )

    assert dry_run.stdout == "Plan: no change. Dry run: nothing written.\n"
    assert administration.plan(config_file.load(exported.stdout), five_branches()) == []


def test_staff_from_a_file_log_in_once_set_password_gave_them_one(
    sqlite_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kommune = tmp_path / "kommune.toml"
    kommune.write_text(config_file.dump(five_branches()))
    _apply(sqlite_db, kommune, capsys)
    monkeypatch.setenv("SKRANKE_NEW_PASSWORD", "anne-password")

    status = main(["--database-url", sqlite_db, "set-password", "anne"])

    assert status == 0
    login = on_db(sqlite_db, authenticate, "anne", "anne-password")
    assert login is not None and login.username == "anne"


def test_exporting_an_unknown_branch_says_so(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--database-url", sqlite_db, "config", "export", "--branch", "atlantis"])

    assert status == 2
    assert capsys.readouterr().err == "skranke: Unknown branch 'atlantis'\n"
