"""`--plot`: the simulated day drawn as SVG or PNG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from skranke.cli import main
from skranke.simulate.plot import COLOURS, HEIGHT, WIDTH, png, svg

SCENARIOS = Path(__file__).parent.parent.parent / "docs" / "scenarios"


def summary() -> dict[str, Any]:
    """A morning: the borgerservice queue grows to 12 and drains, the library stays short."""
    waiting = [[f"{10 + q // 4}:{15 * (q % 4):02d}", q % 3, min(q, 16 - q)] for q in range(17)]
    waits = [[f"{10 + q // 4}:{15 * (q % 4):02d}", 2.0 + q] for q in range(12)]
    return {
        "scenario": "Quiet Tuesday",
        "queue": [{"day": "2026-03-03", "waiting": waiting, "mean_wait_by_issue_time": waits}],
    }


def counts(image: Image.Image) -> dict[tuple[int, ...], int]:
    found = image.convert("RGB").getcolors(WIDTH * HEIGHT) or []
    return {colour: n for n, colour in found if isinstance(colour, tuple)}


def rgb(colour: str) -> tuple[int, ...]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_the_png_is_the_chart_at_its_size() -> None:
    image = Image.open(io.BytesIO(png(summary())))

    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    # Each of the three lines is drawn, and the text (dark pixels) is there too.
    found = counts(image)
    for colour in COLOURS.values():
        assert found.get(rgb(colour), 0) > 150
    assert sum(n for colour, n in found.items() if max(colour) < 60) > 300


def test_the_svg_and_the_png_draw_the_same_day() -> None:
    drawn = svg(summary())

    assert drawn.startswith("<svg") and "Quiet Tuesday" in drawn and "2026-03-03" in drawn
    assert drawn.count("<polyline") == 3


def test_the_command_refuses_a_plot_it_cannot_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "simulate",
            str(SCENARIOS / "quiet-tuesday.toml"),
            "--plot",
            str(tmp_path / "day.gif"),
        ]
    )

    assert code == 2
    assert "expected a file name ending in .svg or .png" in capsys.readouterr().err
    assert not (tmp_path / "day.gif").exists()
