"""`skranke config export|apply`, `skranke set-password` and `skranke demo`: the set-up from
the command line (wired into the parser by `skranke.cli`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from skranke.config import Settings
from skranke.queue import administration, config_file
from skranke.queue.accounts import Principal
from skranke.queue.configuration import Action, Change, InvalidSetup, Municipality
from skranke.queue.states import PrincipalKind, Role
from skranke.store import Conn

T = TypeVar("T")
# Who the audit trail names for a change made from a file.
FILE_ACTOR = Principal(PrincipalKind.ADMIN, "config-file", Role.ADMIN)


def _write(settings: Settings, fn: Callable[..., T], *args: Any) -> T:
    # The commands' one way to open the database (cli imports this module, so not at the top).
    from skranke.cli import write_once

    return write_once(settings, fn, *args)


def cmd_config_export(args: argparse.Namespace, settings: Settings) -> int:
    def run(conn: Conn) -> str:
        if args.branch:
            found = administration.read_municipality(conn, args.branch)
            missing = set(args.branch) - {b.key for b in found.branches}
            if missing:
                administration.read_branch(conn, sorted(missing)[0])
            # Without the other branches' people, a staff list would deactivate them.
            found = Municipality(branches=found.branches, staff=None)
        else:
            found = administration.read_municipality(conn)
        return config_file.dump(found)

    sys.stdout.write(_write(settings, run))
    return 0


def cmd_config_apply(args: argparse.Namespace, settings: Settings) -> int:
    source = "<stdin>" if args.file == "-" else args.file
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"skranke: cannot read {source}: {exc}", file=sys.stderr)
        return 2

    def run(conn: Conn) -> tuple[list[Change], dict[str, str]]:
        current = administration.read_municipality(conn)
        known = [b.key for b in current.branches]
        changes = administration.plan(current, config_file.load(text, known))
        if args.dry_run:
            return changes, {}
        return changes, administration.apply_with_tokens(
            conn, FILE_ACTOR, datetime.now(UTC), changes
        )

    try:
        changes, tokens = _write(settings, run)
    except InvalidSetup as exc:
        for error in exc.errors:
            print(config_file.describe(error, source), file=sys.stderr)
        print(f"skranke: {source} refused, nothing written", file=sys.stderr)
        return 2
    print(summary(changes, tokens, settings.public_url, dry_run=args.dry_run))
    return 0


def summary(changes: list[Change], tokens: dict[str, str], base: str, *, dry_run: bool) -> str:
    lines = [line for change in changes for line in config_file.describe_change(change)]
    counts = {a: sum(1 for c in changes if c.action == a) for a in Action}
    total = ", ".join(f"{n} {a.value}" for a, n in counts.items() if n) or "no change"
    lines.append(f"Plan: {total}." + (" Dry run: nothing written." if dry_run else " Applied."))
    for key, token in sorted(tokens.items()):
        kind = next(c.fields["kind"][1] for c in changes if c.key == key and "kind" in c.fields)
        lines.append(f"New {kind} {key}: {base}/{kind}/{key}#token={token}  (token shown only now)")
    return "\n".join(lines)


def cmd_set_password(args: argparse.Namespace, settings: Settings) -> int:
    password = os.environ.get("SKRANKE_NEW_PASSWORD") or getpass.getpass("New password: ")
    actor = Principal(PrincipalKind.ADMIN, "command-line", Role.ADMIN)
    _write(
        settings,
        administration.reset_password,
        actor,
        datetime.now(UTC),
        args.username,
        password,
    )
    print(f"Password set for {args.username!r}")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from skranke.demo import BRANCH, load_demo, read_tokens, tokens_file, write_tokens

    printer = None if args.no_printer else args.printer
    path = Path(args.tokens_file) if args.tokens_file else tokens_file(settings.database_url)
    kept = {} if args.rotate_tokens else read_tokens(path)
    creds = _write(settings, load_demo, datetime.now(UTC), printer, kept)
    write_tokens(path, creds)
    base = settings.public_url
    print(
        f"""Demo branch {BRANCH!r} is ready.

  Staff users:    admin / demo-admin   staff / demo-staff   leder / demo-leder (manager)
  Kiosk token:    {creds.kiosk_token}
  Display token:  {creds.display_token}
  Staff token:    {creds.staff_token}
  Admin token:    {creds.admin_token}
  Tokens kept in {path} (new ones: skranke demo --rotate-tokens)

  Try it:
    curl -s -X POST {base}/api/v1/branches/{BRANCH}/tickets \\
         -H 'Authorization: Bearer {creds.kiosk_token}' -d '{{"service": "flytning"}}'
    curl -s -X POST {base}/api/v1/counters/2/call-next \\
         -H 'Authorization: Bearer {creds.staff_token}'
    curl -s {base}/api/v1/branches/{BRANCH}/queue
  API document:   {base}/api/v1/openapi.json"""
    )
    return 0


def add_commands(sub: Any) -> None:
    """The `config`, `set-password` and `demo` subcommands of the `skranke` parser."""
    config = sub.add_parser("config", help="export or apply the municipality's set-up (TOML)")
    verbs = config.add_subparsers(dest="verb", required=True)
    export = verbs.add_parser("export", help="print the set-up as TOML (kommune.toml)")
    export.add_argument("--branch", action="append", help="only this branch; repeat for more")
    export.set_defaults(func=cmd_config_export)
    apply = verbs.add_parser("apply", help="make the stored set-up what FILE says")
    apply.add_argument("file", help="a kommune.toml, or - for standard input")
    apply.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    apply.set_defaults(func=cmd_config_apply)

    password = sub.add_parser(
        "set-password", help="set a user's password (SKRANKE_NEW_PASSWORD or the prompt)"
    )
    password.add_argument("username")
    password.set_defaults(func=cmd_set_password)

    demo = sub.add_parser("demo", help="apply the demo set-up and print its tokens")
    demo.add_argument("--printer", default="network://127.0.0.1:9100")
    demo.add_argument("--no-printer", action="store_true")
    demo.add_argument(
        "--rotate-tokens", action="store_true", help="new device and API tokens for the demo"
    )
    demo.add_argument("--tokens-file", help="where the demo keeps its tokens")
    demo.set_defaults(func=cmd_demo)
