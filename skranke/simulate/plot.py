"""The simulated day drawn: queue length and waits through the day, as SVG or PNG.

Two panels share the time axis: citizens waiting per area, and the mean wait of the tickets
issued in each quarter hour. No plotting library: a few lines of SVG do, and the file opens
in any browser; the PNG is the same chart drawn with Pillow (already a dependency, for
tickets), for a report or a mail that takes images only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PIL import Image, ImageDraw, ImageFont

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


HEIGHT = 2 * PANEL + 3 * MARGIN
LEFT, RIGHT = MARGIN, WIDTH - 16
TOP1, TOP2 = MARGIN, 2 * MARGIN + PANEL


@dataclass(frozen=True)
class _Chart:
    """The first day of a summary, scaled: what both renderings draw."""

    title: str
    waiting: list[list[Any]]
    waits: list[list[Any]]
    start: int
    end: int
    peak_q: float
    peak_w: float

    def x(self, hhmm: str) -> float:
        return LEFT + (RIGHT - LEFT) * (_minutes(hhmm) - self.start) / max(self.end - self.start, 1)

    def queue_points(self, column: int) -> list[tuple[float, float]]:
        return [(self.x(p[0]), TOP1 + PANEL * (1 - p[column] / self.peak_q)) for p in self.waiting]

    def wait_points(self) -> list[tuple[float, float]]:
        return [(self.x(w[0]), TOP2 + PANEL * (1 - w[1] / self.peak_w)) for w in self.waits]


def _chart(summary: dict[str, Any]) -> _Chart:
    day = summary["queue"][0]
    waiting = day["waiting"]
    waits = day["mean_wait_by_issue_time"]
    times = [_minutes(p[0]) for p in waiting] + [_minutes(w[0]) for w in waits]
    return _Chart(
        title=f"{summary['scenario']}, {day['day']}",
        waiting=waiting,
        waits=waits,
        start=min(times, default=0),
        end=max(times, default=60),
        peak_q=max((max(p[1], p[2]) for p in waiting), default=1) or 1,
        peak_w=max((w[1] for w in waits), default=1) or 1,
    )


def svg(summary: dict[str, Any]) -> str:
    """The first simulated day of `summary` (from `report.summarise`) as an SVG document."""
    day = summary["queue"][0]
    c = _chart(summary)
    start, end, x = c.start, c.end, c.x
    left, right, height, top1, top2 = LEFT, RIGHT, HEIGHT, TOP1, TOP2
    peak_q, peak_w = c.peak_q, c.peak_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">',
        f"<title>{escape(summary['scenario'])} — {escape(day['day'])}</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        *_axis(top1, left, right, peak_q, f"Waiting — {summary['scenario']}, {day['day']}"),
        *_axis(top2, left, right, peak_w, "Mean wait (min) by time the ticket was taken"),
    ]
    for column, area in ((1, "library"), (2, "borgerservice")):
        parts.append(_polyline(c.queue_points(column), COLOURS[area]))
    parts.append(_polyline(c.wait_points(), COLOURS["wait"]))
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


def png(summary: dict[str, Any]) -> bytes:
    """The same chart as `svg`, as PNG bytes (WIDTH x HEIGHT pixels)."""
    c = _chart(summary)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    small, bold = ImageFont.load_default(11), ImageFont.load_default(12)
    panels = (
        # The default font has no dash: a colon instead of the SVG's "—".
        (TOP1, c.peak_q, f"Waiting: {c.title}"),
        (TOP2, c.peak_w, "Mean wait (min) by time the ticket was taken"),
    )
    for top, peak, label in panels:
        bottom = top + PANEL
        draw.line([(LEFT, bottom), (RIGHT, bottom)], fill="#444444")
        draw.line([(LEFT, top), (LEFT, bottom)], fill="#444444")
        draw.text((LEFT - 6, top), f"{peak:g}", fill="black", font=small, anchor="rm")
        draw.text((LEFT - 6, bottom), "0", fill="black", font=small, anchor="rm")
        draw.text((LEFT, top - 8), label, fill="black", font=bold, anchor="ls")
        for hour in range(c.start // 60 + 1, c.end // 60 + 1):
            draw.text(
                (c.x(f"{hour}:00"), bottom + 4),
                f"{hour:02d}",
                fill="black",
                font=small,
                anchor="mt",
            )
    lines = [
        (c.queue_points(1), COLOURS["library"]),
        (c.queue_points(2), COLOURS["borgerservice"]),
        (c.wait_points(), COLOURS["wait"]),
    ]
    for points, colour in lines:
        if len(points) > 1:
            draw.line(points, fill=colour, width=2, joint="curve")
    for i, area in enumerate(("library", "borgerservice")):
        lx = RIGHT - 220 + i * 110
        draw.rectangle([lx, TOP1 - 18, lx + 10, TOP1 - 8], fill=COLOURS[area])
        draw.text((lx + 14, TOP1 - 9), area, fill="black", font=small, anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
