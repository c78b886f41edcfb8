"""`skranke simulate`: seeded days through the real use cases, reports, what-ifs, plots."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import main
from skranke.simulate.report import summarise
from skranke.simulate.runner import simulate
from skranke.simulate.scenario import ScenarioError, load, parse, with_counters

SCENARIOS = Path(__file__).parent.parent.parent / "docs" / "scenarios"
SMALL = {
    "name": "Two counters",
    "open": "10:00",
    "close": "12:00",
    "services": {
        "flytning": {
            "area": "borgerservice",
            "expected": 10,
            "handling": {"mean": 8, "sd": 3},
            "arrivals": [8, 6],
            "simple": True,
        },
        "laan": {
            "area": "library",
            "expected": 5,
            "handling": {"mean": 4, "sd": 2},
            "arrivals": [12, 10],
            "simple": True,
        },
        "pas": {
            "area": "borgerservice",
            "expected": 15,
            "walk_in": False,
            "handling": {"mean": 14, "sd": 4},
            "booking": {"slot": 30, "capacity": 1, "fill": 1.0, "absent": 0.0},
        },
    },
    "counters": [
        {"number": 1, "area": "borgerservice", "services": {"flytning": 1, "pas": 2}},
        {"number": 2, "area": "library", "services": {"laan": 1}},
    ],
}


def without_clock(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "wall_seconds_per_day"}


def test_the_same_seed_gives_the_same_day() -> None:
    s = parse(SMALL)

    first = summarise(s, simulate(s, days=2, seed=7), 7)
    again = summarise(s, simulate(s, days=2, seed=7), 7)
    other = summarise(s, simulate(s, days=2, seed=8), 8)

    assert without_clock(first) == without_clock(again)
    assert without_clock(first) != without_clock(other)


def test_a_day_is_played_through_the_real_use_cases() -> None:
    s = parse(SMALL)

    summary = summarise(s, simulate(s, days=1, seed=3), 3)

    services = summary["services"]
    # Walk-ins came and were all called; the booked passports were checked in and called.
    assert services["flytning"]["tickets"] > 5 and services["laan"]["tickets"] > 10
    assert services["pas"]["tickets"] == services["pas"]["called"] == 4
    assert summary["total"]["called"] == summary["total"]["tickets"]
    # Every ticket showed an estimate on the ticket; walk-ins also at the kiosk button.
    estimates = summary["estimates"]
    assert estimates["ticket"]["n"] == summary["total"]["tickets"]
    assert estimates["kiosk"]["n"] == summary["total"]["tickets"] - 4
    assert 0 < summary["counters"]["1"]["utilisation"] <= 1


def test_a_six_counter_day_is_played_to_the_end() -> None:
    # How long it takes is measured by bench/estimate_accuracy.py (docs/performance.md).
    s = load(SCENARIOS / "monday-after-easter.toml")

    (day,) = simulate(s, days=1, seed=1)

    assert len(s.counters) == 6 and len(day.citizens) > 200
    assert all(c.called_at is not None for c in day.citizens)
    assert day.wall_seconds > 0


def test_the_new_estimate_beats_the_old_one_on_a_busy_day() -> None:
    s = load(SCENARIOS / "borgerservice-counter-closed.toml")

    summary = summarise(s, simulate(s, days=1, seed=2), 2)

    shown = summary["estimates"]["all"]
    assert shown["new"]["mae"] < shown["old"]["mae"] / 2
    # The old one said "0 min" to many who then waited; the new one to almost nobody (only
    # when a counter was free at that moment and something else came first).
    assert shown["old"]["zero_but_waited"] > 20 * max(shown["new"]["zero_but_waited"], 1)


def test_counters_what_if_adds_a_staffing_block() -> None:
    s = parse(SMALL)

    more = with_counters(s, "1@10:00-11:00,3@10:30-12:00,-2")

    hours = {c.number: list(c.hours) for c in more.counters}
    assert hours[1] == [(time(10), time(11)), (time(10), time(12))]
    assert hours[2] == []
    # A counter the scenario lacks is added with the first counter's services.
    assert hours[3] == [(time(10, 30), time(12))]
    assert dict(more.counters[2].weights) == {"flytning": 1.0, "pas": 2.0}


def test_a_second_staffing_block_in_the_scenario_file() -> None:
    s = parse({**SMALL, "staffing": [{"counters": [2], "hours": [["13:00", "14:00"]]}]})

    (library,) = [c for c in s.counters if c.number == 2]
    assert list(library.hours) == [(time(10), time(12)), (time(13), time(14))]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"services": {}}, "expected at least one [services.KEY]"),
        ({"counters": []}, "expected at least one [[counters]]"),
        ({"open": "ten"}, "open: expected a time like 10:00"),
        ({"counters": [{"number": 1, "services": {"nope": 1}}]}, "unknown services nope"),
    ],
)
def test_a_wrong_scenario_says_what_is_wrong(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[")):
        parse({**SMALL, **change})


def test_a_wrong_counters_value_says_what_is_expected() -> None:
    with pytest.raises(ScenarioError, match="expected N, -N or N@HH:MM-HH:MM"):
        with_counters(parse(SMALL), "five")


def test_the_command_prints_json_and_draws_the_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "small.toml"
    scenario.write_text(
        (SCENARIOS / "quiet-tuesday.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    plot = tmp_path / "day.svg"

    code = main(
        [
            "simulate",
            str(scenario),
            "--seed",
            "4",
            "--json",
            "--plot",
            str(plot),
            "--counters",
            "2@10:00-12:00",
        ]
    )

    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["seed"] == 4 and report["counters"]["2"]["open_hours"] > 1.9
    assert plot.read_text(encoding="utf-8").startswith(
        "<svg"
    ) and "Quiet Tuesday" in plot.read_text(encoding="utf-8")


def test_the_command_refuses_a_missing_scenario_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", str(tmp_path / "missing.toml")])

    assert code == 2 and "Cannot read" in capsys.readouterr().err
