"""The simulated day as a small hand-written SVG: queue length and waits through the day.

Two panels share the time axis: citizens waiting per area, and the mean wait of the tickets
issued in each quarter hour. No plotting library: a few lines of SVG do, and the file opens
in any browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

WIDTH, PANEL, MARGIN = 760, 200, 48
COLOURS = {"library": "#1f6f8b", "borgerservice": "#b5451b", "wait": "#4b3f72"}


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _polyline(points: Sequence[tuple[float, float]], colour: str) -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'


def _axis(top: float, left: float, right: float, peak: float, label: str) -> list[str]:
    bottom = top + PANEL
    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#444"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak:g}</text>',
        f'<text x="{left - 6}" y="{bottom}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{left}" y="{top - 8}" font-size="12" font-weight="bold">{escape(label)}</text>',
    ]
    return parts


def svg(summary: dict[str, Any]) -> str:
    """The first simulated day of `summary` (from `report.summarise`) as an SVG document."""
    day = summary["queue"][0]
    waiting = day["waiting"]
    waits = day["mean_wait_by_issue_time"]
    times = [_minutes(p[0]) for p in waiting] + [_minutes(w[0]) for w in waits]
    start, end = min(times, default=0), max(times, default=60)
    span = max(end - start, 1)
    left, right = MARGIN, WIDTH - 16

    def x(hhmm: str) -> float:
        return left + (right - left) * (_minutes(hhmm) - start) / span

    height = 2 * PANEL + 3 * MARGIN
    top1, top2 = MARGIN, 2 * MARGIN + PANEL
    peak_q = max((max(p[1], p[2]) for p in waiting), default=1) or 1
    peak_w = max((w[1] for w in waits), default=1) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">',
        f"<title>{escape(summary['scenario'])} — {escape(day['day'])}</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        *_axis(top1, left, right, peak_q, f"Waiting — {summary['scenario']}, {day['day']}"),
        *_axis(top2, left, right, peak_w, "Mean wait (min) by time the ticket was taken"),
    ]
    for column, area in ((1, "library"), (2, "borgerservice")):
        points = [(x(p[0]), top1 + PANEL * (1 - p[column] / peak_q)) for p in waiting]
        parts.append(_polyline(points, COLOURS[area]))
    parts.append(
        _polyline([(x(w[0]), top2 + PANEL * (1 - w[1] / peak_w)) for w in waits], COLOURS["wait"])
    )
    for i, (area, label) in enumerate((("library", "library"), ("borgerservice", "borgerservice"))):
        lx = right - 220 + i * 110
        parts.append(
            f'<rect x="{lx}" y="{top1 - 18}" width="10" height="10" fill="{COLOURS[area]}"/>'
            f'<text x="{lx + 14}" y="{top1 - 9}" font-size="11">{label}</text>'
        )
    for hour in range(start // 60 + 1, end // 60 + 1):
        hx = x(f"{hour}:00")
        for top in (top1, top2):
            parts.append(
                f'<text x="{hx:.1f}" y="{top + PANEL + 14}" text-anchor="middle" '
                f'font-size="11">{hour:02d}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
