"""`skranke simulate`: parse the options, build or load the scenario, run, print, plot."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from skranke.queue.errors import DomainError
from skranke.simulate import history
from skranke.simulate.plot import png, svg
from skranke.simulate.report import summarise, table
from skranke.simulate.runner import simulate
from skranke.simulate.scenario import Scenario, ScenarioError, load, with_counters
from skranke.store.engine import Database, DatabaseURLError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "simulate",
        help="run simulated days on a virtual clock and measure waits and estimates",
        description="Runs whole days through the real use cases on a throwaway database. "
        "See docs/simulation.md.",
    )
    p.add_argument("scenario", nargs="?", help="a scenario TOML file (docs/scenarios/)")
    p.add_argument("--days", type=int, default=1, help="days to run (the same weekday, weekly)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--plot", metavar="FILE", help="draw queue length and waits to FILE (.svg or .png)"
    )
    p.add_argument(
        "--counters",
        metavar="SPEC",
        help="staffing what-if: 5@10:00-12:00 adds a block, -3 closes a counter, 4 opens one",
    )
    p.add_argument("--from-history", metavar="BRANCH", help="build the scenario from real weeks")
    p.add_argument("--weeks", type=int, default=4)
    p.add_argument(
        "--database-url",
        dest="history_url",
        help="where --from-history reads (default: the server's database)",
    )
    p.add_argument("--save-scenario", metavar="FILE", help="write the scenario used as TOML")
    p.set_defaults(func=run)


def _from_history(branch: str, weeks: int, url: str) -> Scenario:
    now = datetime.now(UTC)

    async def read() -> Scenario:
        db = Database(url)
        db.start()
        try:
            facts = await db.read(history.read, branch, weeks, now)
        finally:
            await db.stop()
        return history.build(facts, weeks, now.date())

    return asyncio.run(read())


def run(args: argparse.Namespace, settings: object) -> int:
    try:
        if args.from_history:
            url = args.history_url or getattr(settings, "database_url", "")
            scenario = _from_history(args.from_history, args.weeks, url)
        elif args.scenario:
            scenario = load(args.scenario)
        else:
            raise ScenarioError("Expected a scenario file or --from-history BRANCH")
        if args.counters:
            scenario = with_counters(scenario, args.counters)
        if args.plot and not args.plot.lower().endswith((".svg", ".png")):
            raise ScenarioError(
                f"--plot: expected a file name ending in .svg or .png, got {args.plot!r}"
            )
        if args.days < 1:
            raise ScenarioError("--days: expected at least 1")
        if args.save_scenario:
            Path(args.save_scenario).write_text(history.to_toml(scenario), encoding="utf-8")
        summary = summarise(scenario, simulate(scenario, args.days, args.seed), args.seed)
    except (ScenarioError, DatabaseURLError, DomainError) as exc:
        print(f"skranke simulate: {exc}", file=sys.stderr)
        return 2
    if args.plot and args.plot.lower().endswith(".png"):
        Path(args.plot).write_bytes(png(summary))
    elif args.plot:
        Path(args.plot).write_text(svg(summary), encoding="utf-8")
    print(json.dumps(summary, indent=2, ensure_ascii=False) if args.json else table(summary))
    return 0
