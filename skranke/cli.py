"""The `skranke` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from skranke.config import Settings
from skranke.queue.errors import DomainError
from skranke.queue.states import Role
from skranke.store.engine import Database, DatabaseURLError, normalise_url

T = TypeVar("T")


def write_once(settings: Settings, fn: Callable[..., T], *args: Any) -> T:
    """One write transaction in a database opened for this command only."""

    async def run() -> T:
        db = Database(settings.database_url)
        db.start()
        try:
            return await db.write(fn, *args)
        finally:
            await db.stop()

    return asyncio.run(run())


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers > 1 and normalise_url(settings.database_url).get_backend_name() == "sqlite":
        print(
            "skranke: --workers > 1 needs PostgreSQL. SQLite has one writer and events are "
            "shared in memory within one process, so a call made in one worker would not reach "
            "displays on another. Use one worker, or set SKRANKE_DATABASE_URL=postgresql://...",
            file=sys.stderr,
        )
        return 2
    options = server_options(settings, args.host, args.port, args.workers, args.log_level)
    from skranke.web.logs import log_config

    # One line format for uvicorn's and our loggers, with the request id (docs/deployment.md).
    logs = log_config(args.log_level)
    uvicorn.run("skranke.web.app:create_app", factory=True, log_config=logs, **options)
    return 0


def server_options(
    settings: Settings, host: str, port: int, workers: int = 1, log_level: str = "info"
) -> dict[str, Any]:
    """uvicorn's settings for `skranke serve` (the tests start uvicorn with these too)."""
    proxies: dict[str, Any] = {"proxy_headers": False}
    if settings.trusted_proxies:
        # Only these may say who the client is; from anyone else X-Forwarded-For is ignored,
        # or a rotating header would give each guess a fresh address to be limited by.
        proxies = {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "ws": "websockets-sansio",
        # Per-message deflate cost 15 ms at p50 and 38 MB over 1,000 displays
        # (docs/performance.md); the messages are a few hundred bytes.
        "ws_per_message_deflate": False,
        "log_level": log_level,
        **proxies,
    }


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.migrate import upgrade

    upgrade(settings.database_url)
    print(f"Database is up to date: {normalise_url(settings.database_url)!r}")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.queue.accounts import create_user

    branches: list[str] = args.branch or []
    if args.role != Role.ADMIN and not branches:
        print(
            "skranke: create-user --role staff or manager needs --branch KEY (repeat it for "
            "several branches); only --role admin works at every branch",
            file=sys.stderr,
        )
        return 2
    password = os.environ.get("SKRANKE_NEW_PASSWORD") or getpass.getpass("Password: ")
    write_once(settings, create_user, args.username, password, Role(args.role), branches)
    print(f"Created {args.role} user {args.username!r}")
    return 0


def cmd_create_token(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.queue.accounts import create_token

    token = write_once(settings, create_token, args.username, args.name, datetime.now(UTC))
    print(token)
    return 0


def cmd_create_device(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.queue.accounts import upsert_device
    from skranke.queue.states import DeviceKind

    def run(conn: Connection) -> str:
        return upsert_device(
            conn, args.key, DeviceKind(args.kind), args.branch, printer_url=args.printer
        )

    print(write_once(settings, run))
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from skranke.store.backup import backup

    # On PostgreSQL this raises with the pg_dump instructions: exit 2, nothing written.
    print(backup(settings.database_url, Path(args.file), force=args.force))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from skranke.store.backup import restore

    print(restore(settings.database_url, Path(args.file), force=args.force))
    return 0


def cmd_print_agent(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.printers.agent import serve_agent

    # The environment keeps the token out of `ps` and out of the unit file.
    token = args.token or os.environ.get("SKRANKE_AGENT_TOKEN", "")
    if not token:
        print("skranke: print-agent needs --token or SKRANKE_AGENT_TOKEN", file=sys.stderr)
        return 2
    serve_agent(args.server, args.device, token, args.printer, args.timeout)
    return 0


def _listen(label: str, run: Callable[[str, int, Path], None], args: argparse.Namespace) -> int:
    """Run a loopback helper of the demo (printer emulator, mail catcher) until Ctrl-C."""
    import logging

    logging.basicConfig(level=logging.INFO, format=f"{label}: %(message)s")
    try:
        run(args.host, args.port, Path(args.out))
    except OSError as exc:
        print(f"skranke: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_printer_emulator(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.printers.emulator import run_emulator

    return _listen("printer-emulator", run_emulator, args)


def cmd_mail_catcher(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.notify.catcher import run_catcher

    return _listen("mail-catcher", run_catcher, args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="skranke", description="Queue tickets and appointments")
    p.add_argument("--database-url", help="overrides SKRANKE_DATABASE_URL")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="create or upgrade the database").set_defaults(func=cmd_migrate)

    from skranke.cli_config import add_commands

    # config export|apply, set-password, demo
    add_commands(sub)

    user = sub.add_parser("create-user", help="add a staff user (password from the prompt)")
    user.add_argument("username")
    user.add_argument("--role", choices=[r.value for r in Role], default="staff")
    user.add_argument("--branch", action="append", help="branch key; repeat for several")
    user.set_defaults(func=cmd_create_user)

    token = sub.add_parser("create-token", help="print a new API token for a user")
    token.add_argument("username")
    token.add_argument("--name", default="")
    token.set_defaults(func=cmd_create_token)

    device = sub.add_parser("create-device", help="add a kiosk or display; prints its token")
    device.add_argument("key")
    device.add_argument("--kind", choices=["kiosk", "display"], required=True)
    device.add_argument("--branch", required=True)
    device.add_argument("--printer", help="printer URL for a kiosk, e.g. network://10.0.0.5:9100")
    device.set_defaults(func=cmd_create_device)

    backup = sub.add_parser("backup", help="copy the SQLite database to FILE while it runs")
    backup.add_argument("file")
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="replace the SQLite database with backup FILE")
    restore.add_argument("file")
    restore.add_argument("--force", action="store_true", help="replace an existing database")
    restore.set_defaults(func=cmd_restore)

    agent = sub.add_parser("print-agent", help="print a kiosk's agent:// jobs on a local printer")
    agent.add_argument("--server", required=True, help="e.g. https://skranke.example.dk")
    agent.add_argument("--device", required=True, help="the kiosk's device key, e.g. kiosk-1")
    agent.add_argument("--token", help="the kiosk's device token (or SKRANKE_AGENT_TOKEN)")
    agent.add_argument("--printer", required=True, help="e.g. usb://04b8:0202, file:///dev/usb/lp0")
    agent.add_argument("--timeout", type=float, default=10.0, help="printer I/O timeout, seconds")
    agent.set_defaults(func=cmd_print_agent)

    emulator = sub.add_parser("printer-emulator", help="a loopback ESC/POS network printer")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=9100)
    emulator.add_argument("--out", default="var/tickets", help="folder for ticket .txt and .png")
    emulator.set_defaults(func=cmd_printer_emulator)

    catcher = sub.add_parser("mail-catcher", help="an SMTP server keeping e-mails as .eml files")
    catcher.add_argument("--host", default="127.0.0.1")
    catcher.add_argument("--port", type=int, default=2525)
    catcher.add_argument("--out", default="var/mail", help="folder for the .eml files")
    catcher.set_defaults(func=cmd_mail_catcher)

    from skranke.simulate.command import add_parser as add_simulate

    add_simulate(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    env = dict(os.environ)
    if args.database_url:
        env["SKRANKE_DATABASE_URL"] = args.database_url
    try:
        settings = Settings.from_env(env)
        result: int = args.func(args, settings)
        return result
    except (DomainError, DatabaseURLError, ValueError) as exc:
        print(f"skranke: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        # A command against a database that is not there or not migrated: say which, briefly.
        url = normalise_url(settings.database_url).render_as_string(hide_password=True)
        print(
            f"skranke: the database {url} refused: {exc.orig}. Is it running, and migrated "
            "(skranke migrate)? SKRANKE_DATABASE_URL or --database-url chooses it.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
