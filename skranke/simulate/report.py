"""What a simulated day showed: waits, counters, queue lengths, and the error of every estimate.

An estimate's error is what was shown minus the wait that followed (minutes from the moment
it was shown until the ticket was called); negative means too optimistic. Shares of the mean
wait are of the mean wait of all called tickets, as issue 14 measured them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from skranke.simulate.model import Citizen, Day, Shown
from skranke.simulate.scenario import Scenario

TZ = ZoneInfo("Europe/Copenhagen")
KINDS = ("kiosk", "ticket", "phone")
SAMPLE_EVERY = timedelta(minutes=15)


def _wait(c: Citizen) -> float | None:
    if c.called_at is None:
        return None
    return (c.called_at - c.issued_at).total_seconds() / 60.0


def _p90(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def wait_figures(citizens: Iterable[Citizen], target: float | None) -> dict[str, Any]:
    group = list(citizens)
    waits = [w for c in group if (w := _wait(c)) is not None]
    figures: dict[str, Any] = {
        "tickets": len(group),
        "called": len(waits),
        "no_shows": sum(1 for c in group if c.no_show),
        "mean_wait": _r(sum(waits) / len(waits)) if waits else 0.0,
        "p90_wait": _r(_p90(waits)),
    }
    if target is not None:
        within = sum(1 for w in waits if w <= target)
        figures["within_target"] = _r(within / len(waits), 3) if waits else 1.0
    return figures


def _errors(pairs: Sequence[tuple[Shown, float]], old: bool) -> list[float]:
    return [(s.old if old else s.minutes) - actual for s, actual in pairs]


def error_figures(pairs: Sequence[tuple[Shown, float]], mean_wait: float) -> dict[str, Any]:
    """MAE, bias and share within ±5 minutes of the new and the old estimator."""
    result: dict[str, Any] = {"n": len(pairs)}
    for name, old in (("new", False), ("old", True)):
        errors = _errors(pairs, old)
        if not errors:
            result[name] = None
            continue
        mae = sum(abs(e) for e in errors) / len(errors)
        shown = [s.old if old else s.minutes for s, _ in pairs]
        result[name] = {
            "mae": _r(mae),
            "mae_share": _r(mae / mean_wait, 3) if mean_wait > 0 else None,
            "bias": _r(sum(errors) / len(errors)),
            "within_5": _r(sum(1 for e in errors if abs(e) <= 5) / len(errors), 3),
            # "0 min" while the citizen then waited more than two minutes.
            "zero_but_waited": sum(
                1 for m, (_, a) in zip(shown, pairs, strict=True) if m == 0 and a > 2
            ),
        }
    ranged = [(s, a) for s, a in pairs if s.low is not None and s.high is not None]
    result["ranges"] = {
        "shown": _r(len(ranged) / len(pairs), 3) if pairs else 0.0,
        "held": _r(
            sum(1 for s, a in ranged if (s.low or 0) - 0.5 <= a <= (s.high or 0) + 0.5)
            / len(ranged),
            3,
        )
        if ranged
        else None,
    }
    return result


def shown_pairs(citizens: Iterable[Citizen], kind: str | None) -> list[tuple[Shown, float]]:
    pairs = []
    for c in citizens:
        if c.called_at is None:
            continue
        for s in c.shown:
            if kind is None or s.kind == kind:
                pairs.append((s, (c.called_at - s.at).total_seconds() / 60.0))
    return pairs


def summarise(s: Scenario, days: Sequence[Day], seed: int) -> dict[str, Any]:
    citizens = [c for d in days for c in d.citizens]
    total = wait_figures(citizens, None)
    targets = {sv.key: float(sv.target_minutes) for sv in s.services}
    within = [w <= targets[c.service] for c in citizens if (w := _wait(c)) is not None]
    total["within_target"] = _r(sum(within) / len(within), 3) if within else 1.0
    mean_wait = total["mean_wait"]
    services = {
        sv.key: wait_figures((c for c in citizens if c.service == sv.key), targets[sv.key])
        for sv in s.services
        if any(c.service == sv.key for c in citizens)
    }
    counters: dict[str, Any] = {}
    for number in sorted({c.number for d in days for c in d.counters}):
        runs = [c for d in days for c in d.counters if c.number == number]
        opened = sum(c.open_seconds for c in runs)
        busy = sum(c.busy_seconds for c in runs)
        counters[str(number)] = {
            "open_hours": _r(opened / 3600 / len(days)),
            "utilisation": _r(min(busy / opened, 1.0), 3) if opened else 0.0,
        }
    estimates = {kind: error_figures(shown_pairs(citizens, kind), mean_wait) for kind in KINDS}
    estimates["all"] = error_figures(shown_pairs(citizens, None), mean_wait)
    return {
        "scenario": s.name,
        "days": len(days),
        "seed": seed,
        "wall_seconds_per_day": _r(sum(d.wall_seconds for d in days) / len(days)),
        "total": total,
        "services": services,
        "counters": counters,
        "estimates": estimates,
        "queue": [queue_series(d) for d in days],
    }


def queue_series(day: Day) -> dict[str, Any]:
    """Waiting per area every 15 minutes, and the mean wait of the tickets issued in each."""
    points = []
    step = None
    for at, lengths in day.samples:
        if step is None or at >= step:
            points.append(
                [at.astimezone(TZ).strftime("%H:%M"), lengths["library"], lengths["borgerservice"]]
            )
            step = at + SAMPLE_EVERY
    waits: dict[str, list[float]] = {}
    for c in day.citizens:
        w = _wait(c)
        if w is None:
            continue
        local = c.issued_at.astimezone(TZ)
        slot = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
        waits.setdefault(slot.strftime("%H:%M"), []).append(w)
    return {
        "day": day.day.isoformat(),
        "waiting": points,
        "mean_wait_by_issue_time": [
            [slot, _r(sum(v) / len(v), 1)] for slot, v in sorted(waits.items())
        ],
    }


def _est_row(name: str, figures: dict[str, Any]) -> str:
    cells = []
    for which in ("new", "old"):
        f = figures.get(which)
        if f is None:
            cells.append(f"{'-':>30}")
            continue
        share = f"{100 * f['mae_share']:.0f}%" if f["mae_share"] is not None else "-"
        cells.append(
            f"{f['mae']:6.2f} ({share:>4}) {f['bias']:+6.2f} {100 * f['within_5']:4.0f}%"
            f" {f['zero_but_waited']:4d}"
        )
    return f"  {name:<8}{figures['n']:>6}  " + "   ".join(cells)


def table(summary: dict[str, Any]) -> str:
    """The summary as a plain-text table for people."""
    t = summary["total"]
    lines = [
        f"{summary['scenario']} — {summary['days']} day(s), seed {summary['seed']}, "
        f"{summary['wall_seconds_per_day']:.1f} s per day",
        "",
        f"  {'service':<14}{'tickets':>8}{'called':>8}{'no-show':>8}{'mean':>8}{'p90':>8}"
        f"{'in target':>10}",
    ]
    for key, f in [*summary["services"].items(), ("total", t)]:
        lines.append(
            f"  {key:<14}{f['tickets']:>8}{f['called']:>8}{f['no_shows']:>8}"
            f"{f['mean_wait']:>8.1f}{f['p90_wait']:>8.1f}{100 * f['within_target']:>9.0f}%"
        )
    lines += ["", "  counter  open h  utilisation"]
    for number, f in summary["counters"].items():
        lines.append(f"  {number:>7}  {f['open_hours']:6.1f}  {100 * f['utilisation']:10.0f}%")
    lines += [
        "",
        "  estimates   (minutes: MAE (share of mean wait) bias  within ±5  '0' but waited)",
        f"  {'shown':<8}{'n':>6}  {'new':<30}   {'old':<30}",
    ]
    for kind in (*KINDS, "all"):
        lines.append(_est_row(kind, summary["estimates"][kind]))
    ranges = summary["estimates"]["all"]["ranges"]
    if ranges["held"] is not None:
        lines.append(
            f"  ranges shown on {100 * ranges['shown']:.0f}% of estimates; "
            f"the wait fell inside {100 * ranges['held']:.0f}% of them"
        )
    return "\n".join(lines)
