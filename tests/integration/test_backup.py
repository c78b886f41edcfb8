"""`skranke backup` and `restore`: a consistent copy while tickets are being issued."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from skranke.cli import main
from tests.site import auth, served

TICKETS = 300  # bounded: the issuing loop ends by itself even if the backup never ran


def ticket_ids(path: Path) -> set[int]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM ticket")}


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_backup_under_load_holds_every_ticket_answered_before_it_and_restores(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answered: list[int] = []
    lock = threading.Lock()
    enough = threading.Event()
    backed_up = threading.Event()
    dump, fresh = tmp_path / "backup.db", tmp_path / "restored" / "skranke.db"
    fresh.parent.mkdir()

    with served(sqlite_db) as site:

        def issue() -> None:
            with httpx.Client(base_url=site.url, timeout=10) as client:
                for n in range(TICKETS):
                    response = client.post(
                        f"/api/v1/branches/{site.branch}/tickets",
                        json={"service": "flytning"},
                        headers=auth(site.creds.kiosk_token),
                    )
                    assert response.status_code == 201, response.text
                    with lock:
                        answered.append(response.json()["id"])
                    if n >= 20:
                        enough.set()
                    if backed_up.is_set() and n >= 40:
                        return  # a few more after the backup ended are enough

        issuer = threading.Thread(target=issue)
        issuer.start()
        assert enough.wait(60), "tickets were not being issued"
        with lock:
            before = set(answered)
        code = main(["--database-url", sqlite_db, "backup", str(dump)])
        overlapped = issuer.is_alive()
        backed_up.set()
        issuer.join(120)

    assert code == 0, capsys.readouterr().err
    assert overlapped, "the backup should have run while tickets were being issued"
    assert "integrity ok" in capsys.readouterr().out
    assert integrity(dump) == "ok"
    in_backup = ticket_ids(dump)
    assert before <= in_backup
    # The issuing went on while the backup ran; the copy is one moment of it, not the end.
    assert len(answered) > len(before)

    assert main(["--database-url", f"sqlite:///{fresh}", "restore", str(dump)]) == 0
    assert integrity(fresh) == "ok"
    assert ticket_ids(fresh) == in_backup


def test_restore_over_an_existing_database_needs_force(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "backup.db"
    assert main(["--database-url", sqlite_db, "backup", str(dump)]) == 0
    capsys.readouterr()

    refused = main(["--database-url", sqlite_db, "restore", str(dump)])
    refused_err = capsys.readouterr().err
    again = main(["--database-url", sqlite_db, "backup", str(dump)])
    again_err = capsys.readouterr().err
    forced = main(["--database-url", sqlite_db, "restore", str(dump), "--force"])

    assert refused == 2 and "pass --force" in refused_err
    assert again == 2 and "exists" in again_err  # nor is a backup overwritten unasked
    assert forced == 0
    assert integrity(Path(sqlite_db.removeprefix("sqlite:///"))) == "ok"


def test_restore_refuses_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)

    code = main(["--database-url", f"sqlite:///{tmp_path / 'new.db'}", "restore", str(junk)])

    assert code != 0
    assert not (tmp_path / "new.db").exists()


def test_on_postgresql_backup_says_how_to_use_pg_dump(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://skranke:secret@db.example.internal/skranke"

    code = main(["--database-url", url, "backup", "skranke.dump"])

    err = capsys.readouterr().err
    assert code == 2
    assert "pg_dump -Fc" in err and "pg_restore --list" in err
    assert "secret" not in err
