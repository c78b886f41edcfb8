"""Server-rendered SVG charts: the geometry here, the markup in templates/stats/_charts.html.

Plain shapes in a viewBox, so a chart scales with the page and needs no script. Every chart
is drawn from the same rows as the table printed beside it, which screen readers and
keyboard users read instead (the SVG is one labelled image).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH = 720
LABEL = 190  # room for the row labels on the left
ROW = 32
VALUE = 110  # room for the row's figure on the right
SOURCES = ("kiosk", "checkin", "staff", "mobile")
WEEKDAYS = 7


@dataclass
class Bar:
    x: float
    width: float
    css: str
    title: str


@dataclass
class Row:
    label: str
    y: float
    bars: list[Bar] = field(default_factory=list)
    text: str = ""
    mark: float | None = None  # a reference line (the target) at this x


@dataclass
class BarChart:
    rows: list[Row]
    height: float
    ticks: list[tuple[float, str]]
    legend: list[tuple[str, str]]


def _scale(top: float) -> tuple[float, list[float]]:
    """A round maximum for the axis and its ticks."""
    if top <= 0:
        return 1.0, [0.0, 1.0]
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000):
        if top / step <= 6:
            n = int(-(-top // step))
            return float(n * step), [float(i * step) for i in range(n + 1)]
    step = 10 ** len(str(int(top)))
    return float(step), [0.0, float(step)]


def _x(value: float, top: float) -> float:
    # The right margin holds each row's figure.
    return LABEL + (WIDTH - LABEL - VALUE) * value / top


def stacked(services: list[dict[str, Any]], name: Any, fmt: Any) -> BarChart:
    """Tickets per service, split by source."""
    top, ticks = _scale(max((s["tickets"] for s in services), default=0))
    rows = []
    for i, s in enumerate(services):
        row = Row(name(s), 20 + i * ROW, text=fmt(s["tickets"], 0))
        at = 0.0
        for src in SOURCES:
            n = s["sources"][src]
            if n:
                x = _x(at, top)
                row.bars.append(Bar(x, _x(at + n, top) - x, f"src-{src}", str(n)))
                at += n
        rows.append(row)
    return BarChart(rows, 30 + len(rows) * ROW, [(_x(t, top), fmt(t, 0)) for t in ticks], [])


def waits(services: list[dict[str, Any]], name: Any, fmt: Any) -> BarChart:
    """Median wait per service, a thinner bar to the 90th percentile, and the target line."""
    called = [s for s in services if s["waiting"]["n"]]
    top_value = max(
        [s["waiting"]["p90"] or 0 for s in called] + [s["target_minutes"] for s in called] + [0]
    )
    top, ticks = _scale(top_value)
    rows = []
    for i, s in enumerate(called):
        w = s["waiting"]
        row = Row(name(s), 20 + i * ROW, text=f"{fmt(w['median'])} / {fmt(w['p90'])}")
        row.bars.append(Bar(_x(0, top), _x(w["p90"], top) - LABEL, "p90", fmt(w["p90"])))
        row.bars.append(Bar(_x(0, top), _x(w["median"], top) - LABEL, "median", fmt(w["median"])))
        row.mark = _x(s["target_minutes"], top)
        rows.append(row)
    return BarChart(rows, 30 + len(rows) * ROW, [(_x(t, top), fmt(t, 0)) for t in ticks], [])


def shares(services: list[dict[str, Any]], name: Any, fmt: Any) -> BarChart:
    """Share of called citizens within the service's target, 0-100 %."""
    called = [s for s in services if s["within_target_share"] is not None]
    rows = []
    for i, s in enumerate(called):
        value = s["within_target_share"]
        css = "good" if value >= 80 else "fair" if value >= 60 else "poor"
        row = Row(name(s), 20 + i * ROW, text=f"{fmt(value)} %")
        row.bars.append(Bar(_x(0, 100), _x(value, 100) - LABEL, css, f"{fmt(value)} %"))
        rows.append(row)
    ticks = [(_x(t, 100), f"{t} %") for t in (0, 20, 40, 60, 80, 100)]
    return BarChart(rows, 30 + len(rows) * ROW, ticks, [])


@dataclass
class Heat:
    hours: list[int]
    days: list[int]
    cells: dict[tuple[int, int], tuple[int, int]]  # (weekday, hour) -> (tickets, shade 0-5)
    width: float
    height: float


def heat(cells: list[dict[str, Any]]) -> Heat:
    if not cells:
        return Heat([], [], {}, 0, 0)
    hours = list(range(min(c["hour"] for c in cells), max(c["hour"] for c in cells) + 1))
    days = sorted({c["weekday"] for c in cells} | set(range(5)))
    top = max(c["tickets"] for c in cells)
    shade = {
        (c["weekday"], c["hour"]): (c["tickets"], min(5, 1 + 5 * c["tickets"] // (top + 1)))
        for c in cells
    }
    return Heat(hours, days, shade, 60 + 48 * len(hours), 30 + 34 * len(days))


@dataclass
class Trend:
    bars: list[tuple[float, float, float, str, str]]  # x, y, height, day label, title
    line: str  # polyline points of the share within target
    bar_width: float
    label_every: int
    width: float
    height: float
    ticks: list[tuple[float, str]]


def trend(days: list[dict[str, Any]], fmt: Any) -> Trend:
    height, base, left = 220.0, 190.0, 50.0
    if not days:
        return Trend([], "", 0, 1, WIDTH, height, [])
    top, ticks = _scale(max(d["tickets"] for d in days))
    # A few days get slim bars, not a wall of colour.
    step = min((WIDTH - left - 10) / len(days), 60.0)
    bars, points = [], []
    for i, d in enumerate(days):
        h = (base - 10) * d["tickets"] / top
        x = left + i * step
        bars.append((x + step * 0.15, base - h, h, d["day"][5:], f"{d['day']}: {d['tickets']}"))
        if d["within_target_share"] is not None:
            y = base - (base - 10) * d["within_target_share"] / 100
            points.append(f"{x + step / 2:.1f},{y:.1f}")
    scale = [(base - (base - 10) * t / top, fmt(t, 0)) for t in ticks]
    # The grid lines end where the bars do.
    every = max(1, -(-len(days) // 12))
    width = max(left + step * len(days) + 10, 320.0)
    return Trend(bars, " ".join(points), step * 0.7, every, width, height, scale)
