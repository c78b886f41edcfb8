"""`skranke backup` and `skranke restore`: SQLite through its online backup API.

`sqlite3.Connection.backup` copies the database page by page inside one read transaction,
so the copy is the database as of one commit, however busy the server is (under WAL the
server's writer is not held up). Copying the file instead could catch a half-written page or
miss the WAL. PostgreSQL has `pg_dump` and `pg_restore` for this; we only say how to use them.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from skranke.store.engine import normalise_url

# The server's writer may hold the write lock for a batch; wait for it rather than fail.
BUSY_SECONDS = 30.0


class BackupError(ValueError):
    pass


class UsePgTools(BackupError):
    """A PostgreSQL database: the message says which pg_dump/pg_restore command to run."""


def sqlite_file(url: str) -> Path:
    """The SQLite file of `url`; UsePgTools for PostgreSQL, BackupError for a memory database."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise UsePgTools(_pg_instructions(parsed))
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("Expected a database file, but the SQLite database is in memory")
    return Path(parsed.database)


def integrity(path: Path) -> str:
    """What SQLite's integrity_check says of `path`: "ok", or what it found wrong."""
    try:
        with closing(sqlite3.connect(path, timeout=BUSY_SECONDS)) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database", say
        return str(exc)
    return "; ".join(str(row[0]) for row in rows)


def backup(url: str, target: Path, *, force: bool = False) -> str:
    """Copy the database of `url` to `target`, consistently, while the server runs."""
    source = sqlite_file(url)
    if not source.is_file():
        raise BackupError(f"Expected a database at {source}, but there is no such file")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to overwrite it")
    if target.resolve() == source.resolve():
        raise BackupError("Expected a backup file other than the database itself")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial)
    # A self-contained file: no -wal beside it to lose when it is copied elsewhere.
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    _check(partial)
    # Renamed only when complete: an interrupted backup never leaves a truncated FILE.
    os.replace(partial, target)
    return f"Backed up {source} to {target} ({target.stat().st_size} bytes; integrity ok)"


def restore(url: str, backup_file: Path, *, force: bool = False) -> str:
    """Replace the database of `url` with `backup_file` (the server should be stopped)."""
    target = sqlite_file(url)
    if not backup_file.is_file():
        raise BackupError(f"Expected a backup at {backup_file}, but there is no such file")
    _check(backup_file)
    if target.exists() and not force:
        raise BackupError(
            f"{target} exists; stop the server, then pass --force to replace it with the backup"
        )
    # Through the backup API into the live file, not a file copy over it: SQLite takes the
    # write lock and rewrites the WAL and its index too, which a copy would leave stale.
    _copy(backup_file, target)
    _check(target)
    return f"Restored {target} from {backup_file} (integrity ok)"


def _copy(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=BUSY_SECONDS)) as src,
        closing(sqlite3.connect(target, timeout=BUSY_SECONDS)) as dst,
    ):
        try:
            # pages=-1: everything in one step, so one read transaction sees one commit.
            src.backup(dst, pages=-1)
        except sqlite3.Error as exc:
            raise BackupError(f"Copying {source} to {target} failed: {exc}") from exc


def _check(path: Path) -> None:
    found = integrity(path)
    if found != "ok":
        raise BackupError(f"SQLite's integrity_check of {path} failed: {found}")


def _pg_instructions(url: sa.URL) -> str:
    # libpq reads the password from ~/.pgpass or PGPASSWORD, never from the command line.
    dsn = url.set(drivername="postgresql", password=None).render_as_string()
    return (
        "This is a PostgreSQL database: use PostgreSQL's own tools (see docs/deployment.md).\n"
        f"  backup:  pg_dump -Fc --dbname='{dsn}' --file=skranke.dump\n"
        "  check:   pg_restore --list skranke.dump > /dev/null && echo ok\n"
        f"  restore: pg_restore --clean --if-exists --no-owner --dbname='{dsn}' skranke.dump"
    )
