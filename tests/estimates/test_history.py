"""`skranke simulate --from-history`: a scenario from a branch's real tickets."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skranke.cli import main
from skranke.queue.branches import create_branch
from skranke.queue.calling import call_next
from skranke.queue.tickets import act, issue_ticket
from skranke.queue.views import QueuePolicy
from skranke.simulate import history
from skranke.simulate.runner import simulate
from skranke.simulate.scenario import ScenarioError, parse
from skranke.store.engine import Database
from tests.conftest import run_async
from tests.estimates.conftest import TOWN

POLICY = QueuePolicy()
# Monday 23 November 2026, 10:00 in Copenhagen.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


async def a_served_ticket(db: Database, service: str, at: datetime, minutes: float) -> None:
    await db.write(issue_ticket, "lilleby", service, at, POLICY)
    called = await db.write(call_next, 1 if service != "laan" else 3, at + MIN, POLICY)
    await db.write(act, called.id, "serve", at + 2 * MIN, POLICY)
    await db.write(act, called.id, "finish", at + (2 + minutes) * MIN, POLICY)


@pytest.mark.anyio
async def test_a_scenario_is_built_from_the_last_weeks(db: Database) -> None:
    for day in range(2):
        start = T0 + timedelta(days=7 * day)
        for i in range(6):
            await a_served_ticket(db, "mitid", start + 20 * i * MIN, 12.0)
        for i in range(4):
            await a_served_ticket(db, "laan", start + 30 * i * MIN, 4.0)
    now = T0 + timedelta(days=8)

    facts = await db.read(history.read, "lilleby", 4, now)
    scenario = history.build(facts, 4, now.date())

    mitid = scenario.service("mitid")
    # Six over two hours each day: three an hour at 10 and at 11 (local time).
    assert mitid.arrivals == {10: 3.0, 11: 3.0}
    assert mitid.handling.mean == 12.0
    assert scenario.service("laan").handling.mean == 4.0
    assert scenario.walk.mean == 1.0
    assert [c.number for c in scenario.counters] == [1, 2, 3]
    # What it builds can be written, read back and run.
    again = parse(tomllib.loads(history.to_toml(scenario)))
    assert again.service("mitid").arrivals == mitid.arrivals
    (day,) = simulate(again, days=1, seed=1)
    assert len(day.citizens) > 0


@pytest.mark.anyio
async def test_a_branch_without_tickets_says_so(db: Database) -> None:
    facts = await db.read(history.read, "lilleby", 4, T0)

    with pytest.raises(ScenarioError, match="no tickets in the last 4 week"):
        history.build(facts, 4, T0.date())


def test_the_command_builds_runs_and_saves_a_scenario_from_history(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def fill() -> None:
        database = Database(sqlite_db)
        database.start()
        try:
            await database.write(create_branch, TOWN)
            start = datetime.now(UTC) - timedelta(days=2)
            for i in range(5):
                await a_served_ticket(database, "mitid", start + 15 * i * MIN, 9.0)
        finally:
            await database.stop()

    run_async(fill())
    saved = tmp_path / "lilleby.toml"

    code = main(
        [
            "simulate",
            "--from-history",
            "lilleby",
            "--weeks",
            "1",
            "--database-url",
            sqlite_db,
            "--json",
            "--save-scenario",
            str(saved),
            "--counters",
            "2@10:00-11:00",
        ]
    )

    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["scenario"].startswith("Lilleby")
    assert "[services.mitid]" in saved.read_text(encoding="utf-8")


def test_the_command_needs_a_scenario_or_a_branch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate"]) == 2
    assert "Expected a scenario file or --from-history BRANCH" in capsys.readouterr().err
