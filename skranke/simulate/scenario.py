"""A simulated day as plain data, read from a TOML scenario (docs/simulation.md).

A scenario names the branch's services (with the handling time configured in skranke and the
true one the simulated citizens take), the counters with their weights and staffing blocks,
walk-in arrivals per hour, booked appointments, and how citizens behave (walk to the counter,
no-shows, punctuality). `with_counters` applies a `--counters` what-if.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from skranke.queue.states import Area


class ScenarioError(ValueError):
    """A scenario file or `--counters` value that cannot be run; the message says why."""


@dataclass(frozen=True)
class Spread:
    """A lognormal time in minutes, given by its mean and standard deviation."""

    mean: float
    sd: float = 0.0

    def mu_sigma(self) -> tuple[float, float]:
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2) if self.mean > 0 else 0.0
        return math.log(max(self.mean, 1e-6)) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True)
class Booking:
    slot_minutes: int = 15
    capacity: int = 1
    # Share of the day's slots that are booked.
    fill: float = 0.7
    # Minutes after the start the citizen checks in (negative: early), normally distributed.
    punctuality_mean: float = -5.0
    punctuality_sd: float = 4.0
    # Share of booked citizens who never come.
    absent: float = 0.05


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    area: Area
    prefix: str
    # What skranke is configured with, and what citizens really take.
    expected_minutes: int
    handling: Spread
    target_minutes: int = 15
    walk_in: bool = True
    simple: bool = False
    # Walk-in arrivals per hour, by local hour of the day.
    arrivals: Mapping[int, float] = field(default_factory=dict)
    booking: Booking | None = None


Block = tuple[time, time]


@dataclass(frozen=True)
class Counter:
    number: int
    area: Area
    weights: Mapping[str, float]
    # Staffing blocks: when someone sits at the counter.
    hours: Sequence[Block] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    day: date
    opens: time
    closes: time
    services: Sequence[Service]
    counters: Sequence[Counter]
    description: str = ""
    # Minutes from the call until the citizen reaches the counter.
    walk: Spread = Spread(0.7, 0.3)
    # Share of called walk-ins who never come, and how long a counter waits for them.
    no_show: float = 0.03
    no_show_wait: float = 2.0
    overflow_minutes: float = 20.0
    booking_window_minutes: float = 5.0
    # How often the phone page's estimate is looked at for every waiting ticket.
    phone_every_minutes: float = 5.0
    # Counters serve everyone who took a ticket before closing.
    serve_remaining: bool = True

    def service(self, key: str) -> Service:
        for s in self.services:
            if s.key == key:
                return s
        raise ScenarioError(f"Unknown service {key!r}")


def _clock(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{where}: expected a time like 10:00, but got {value!r}") from None


def _blocks(value: Any, where: str) -> list[Block]:
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list of [from, to] pairs")
    blocks = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ScenarioError(f"{where}: expected [from, to], but got {pair!r}")
        start, end = _clock(pair[0], where), _clock(pair[1], where)
        if end <= start:
            raise ScenarioError(f"{where}: {pair[0]}–{pair[1]} ends before it starts")
        blocks.append((start, end))
    return sorted(blocks)


def _arrivals(value: Any, opens: time, where: str) -> dict[int, float]:
    if isinstance(value, list):
        return {opens.hour + i: float(rate) for i, rate in enumerate(value)}
    if isinstance(value, dict):
        try:
            return {int(hour): float(rate) for hour, rate in value.items()}
        except (TypeError, ValueError):
            raise ScenarioError(f"{where}: expected {{hour = rate}}, e.g. {{10 = 4}}") from None
    raise ScenarioError(f"{where}: expected a list of rates per hour or a table hour = rate")


def _spread(value: Any, where: str) -> Spread:
    if isinstance(value, (int, float)):
        return Spread(float(value), 0.0)
    if isinstance(value, dict) and "mean" in value:
        mean, sd = float(value["mean"]), float(value.get("sd", 0.0))
        if mean <= 0 or sd < 0:
            raise ScenarioError(f"{where}: expected mean > 0 and sd >= 0")
        return Spread(mean, sd)
    raise ScenarioError(f"{where}: expected minutes or {{mean = .., sd = ..}}")


def _service(key: str, raw: dict[str, Any], opens: time) -> Service:
    where = f"services.{key}"
    try:
        area = Area(raw.get("area", "borgerservice"))
    except ValueError:
        raise ScenarioError(f"{where}.area: expected library or borgerservice") from None
    expected = int(raw.get("expected", 10))
    booking = None
    if "booking" in raw:
        b = raw["booking"]
        punctual = b.get("punctuality", {})
        booking = Booking(
            slot_minutes=int(b.get("slot", 15)),
            capacity=int(b.get("capacity", 1)),
            fill=float(b.get("fill", 0.7)),
            punctuality_mean=float(punctual.get("mean", -5.0)),
            punctuality_sd=float(punctual.get("sd", 4.0)),
            absent=float(b.get("absent", 0.05)),
        )
    return Service(
        key=key,
        name=str(raw.get("name", key)),
        area=area,
        prefix=str(raw.get("prefix", key[:1].upper())),
        expected_minutes=expected,
        handling=_spread(raw.get("handling", expected), f"{where}.handling"),
        target_minutes=int(raw.get("target", 15)),
        walk_in=bool(raw.get("walk_in", True)),
        simple=bool(raw.get("simple", False)),
        arrivals=_arrivals(raw.get("arrivals", {}), opens, f"{where}.arrivals"),
        booking=booking,
    )


def parse(raw: dict[str, Any], name: str = "scenario") -> Scenario:
    try:
        day = date.fromisoformat(str(raw.get("date", "2026-03-03")))
    except ValueError:
        raise ScenarioError(f"date: expected YYYY-MM-DD, but got {raw.get('date')!r}") from None
    opens = _clock(raw.get("open", "10:00"), "open")
    closes = _clock(raw.get("close", "17:00"), "close")
    services_raw = raw.get("services")
    if not isinstance(services_raw, dict) or not services_raw:
        raise ScenarioError("services: expected at least one [services.KEY] table")
    services = [_service(k, v, opens) for k, v in services_raw.items()]
    keys = {s.key for s in services}
    counters = []
    for i, c in enumerate(raw.get("counters", [])):
        where = f"counters[{i}]"
        weights = {str(k): float(v) for k, v in dict(c.get("services", {})).items()}
        unknown = set(weights) - keys
        if unknown:
            raise ScenarioError(f"{where}: unknown services {', '.join(sorted(unknown))}")
        hours = _blocks(c.get("hours", [[str(opens), str(closes)]]), f"{where}.hours")
        counters.append(
            Counter(int(c["number"]), Area(c.get("area", "borgerservice")), weights, hours)
        )
    if not counters:
        raise ScenarioError("counters: expected at least one [[counters]] entry")
    scenario = Scenario(
        name=str(raw.get("name", name)),
        description=str(raw.get("description", "")),
        day=day,
        opens=opens,
        closes=closes,
        services=services,
        counters=counters,
        walk=_spread(raw.get("walk", {"mean": 0.7, "sd": 0.3}), "walk"),
        no_show=float(raw.get("no_show", 0.03)),
        no_show_wait=float(raw.get("no_show_wait", 2.0)),
        overflow_minutes=float(raw.get("overflow_minutes", 20.0)),
        booking_window_minutes=float(raw.get("booking_window_minutes", 5.0)),
        phone_every_minutes=float(raw.get("phone_every_minutes", 5.0)),
        serve_remaining=bool(raw.get("serve_remaining", True)),
    )
    for block in raw.get("staffing", []):
        scenario = with_counters(scenario, block_spec(block))
    return scenario


def block_spec(block: dict[str, Any]) -> str:
    """A `[[staffing]]` table as a `--counters` value: counters = [5], hours = [[from, to]]."""
    hours = block.get("hours", [])
    parts = []
    for number in block.get("counters", []):
        if block.get("closed"):
            parts.append(f"-{number}")
        for start, end in hours:
            parts.append(f"{number}@{start}-{end}")
    return ",".join(parts)


def load(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"Cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    try:
        return parse(raw, path.stem)
    except (KeyError, TypeError) as exc:
        raise ScenarioError(f"{path}: missing or wrong value {exc}") from None


def with_counters(scenario: Scenario, spec: str) -> Scenario:
    """Apply a staffing what-if: `5@10:00-12:00` adds a block to counter 5, `-3` closes
    counter 3 all day, `4` opens counter 4 all day; comma-separated, applied in order (so
    `-5,5@10:00-12:00` staffs counter 5 from 10 to 12 only).

    A counter the scenario lacks is added with the services of its lowest-numbered counter,
    so "one more counter" needs no TOML.
    """
    counters = {c.number: c for c in scenario.counters}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        try:
            if part.startswith("-"):
                number = int(part[1:])
                counters[number] = replace(_counter(counters, number), hours=())
                continue
            number_text, _, block = part.partition("@")
            number = int(number_text)
        except ValueError:
            raise ScenarioError(
                f"--counters: expected N, -N or N@HH:MM-HH:MM, but got {part!r}"
            ) from None
        counter = _counter(counters, number)
        if not block:
            counters[number] = replace(counter, hours=((scenario.opens, scenario.closes),))
            continue
        start, _, end = block.partition("-")
        new = _blocks([[start, end]], f"--counters {part}")
        counters[number] = replace(counter, hours=tuple(sorted([*counter.hours, *new])))
    return replace(scenario, counters=sorted(counters.values(), key=lambda c: c.number))


def _counter(counters: Mapping[int, Counter], number: int) -> Counter:
    if number in counters:
        return counters[number]
    if not counters:
        raise ScenarioError(f"--counters: no counter to copy for counter {number}")
    model = counters[min(counters)]
    return Counter(number, model.area, model.weights, ())
