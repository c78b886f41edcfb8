"""Text drawn by Pillow, for scripts no printer code page carries (Cyrillic, Arabic, ...)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from .ticket import Feed, Text

logger = logging.getLogger(__name__)

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont

# DejaVu Sans carries Latin, Cyrillic, Greek and Arabic; Debian/Ubuntu ship it in
# fonts-dejavu-core, Fedora in dejavu-sans-fonts.
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
BASE_FONT_PX = 24
_MARGIN_PX = 8
# Little paper above and below: the printer's own line spacing already separates lines.
_VERTICAL_MARGIN_PX = 2


@functools.cache
def font_path(bold: bool = False, mono: bool = False) -> Path | None:
    name = "DejaVuSansMono" if mono else "DejaVuSans"
    filename = f"{name}-Bold.ttf" if bold else f"{name}.ttf"
    for directory in _FONT_DIRS:
        if (directory / filename).is_file():
            return directory / filename
    logger.warning(
        "%s not found in %s; falling back to Pillow's built-in font, which has no Cyrillic "
        "or Arabic glyphs. Install fonts-dejavu-core.",
        filename,
        ", ".join(map(str, _FONT_DIRS)),
    )
    return None


@functools.cache
def load_font(size: int, bold: bool = False, mono: bool = False) -> FontType:
    path = font_path(bold, mono)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


@functools.cache
def has_complex_layout() -> bool:
    # Without libraqm Pillow neither shapes Arabic letters nor orders them right-to-left.
    available = bool(features.check("raqm"))
    if not available:
        logger.warning("Pillow has no libraqm: Arabic tickets print unshaped, left-to-right")
    return available


def _direction(rtl: bool) -> str | None:
    return "rtl" if rtl and has_complex_layout() else None


def _wrap(text: str, font: FontType, max_width: int, rtl: bool) -> list[str]:
    # Words are wrapped in logical order; raqm then lays out each line, so RTL lines come out
    # right-to-left with their words in reading order.
    direction = _direction(rtl)

    def fits(candidate: str) -> bool:
        return font.getlength(candidate, direction=direction) <= max_width

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        # A single word wider than the paper is broken between characters, not clipped.
        current = ""
        for char in word:
            if current and not fits(current + char):
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def _advance(font_px: int) -> int:
    return font_px * 13 // 10


def font_px(block: Text) -> int:
    """The pixel size that matches the printer font's `width` x `height` scaling."""
    if block.width > 1:
        return BASE_FONT_PX * max(block.width, block.height)
    # Only taller: a proportional font set at the doubled height runs much wider than the
    # printer's narrow one, and a service name would wrap onto three lines.
    return BASE_FONT_PX * (10 + 6 * (block.height - 1)) // 10


def draw_blocks(blocks: Sequence[Text | Feed], width: int, rtl: bool) -> Image.Image:
    """One black-and-white image, `width` pixels wide, of text blocks in the order given."""
    usable = width - 2 * _MARGIN_PX
    # (text, font, block, advance): a row of None is empty paper, as a Feed asks.
    rows: list[tuple[str, FontType, Text | None, int]] = []
    for block in blocks:
        if isinstance(block, Feed):
            rows.append(("", load_font(BASE_FONT_PX), None, _advance(BASE_FONT_PX) * block.lines))
            continue
        size = font_px(block)
        font = load_font(size, block.bold)
        rows += [
            (line, font, block, _advance(size)) for line in _wrap(block.text, font, usable, rtl)
        ]
    height = 2 * _VERTICAL_MARGIN_PX + sum(row[3] for row in rows)

    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    # Thermal heads print dots, not greys: antialiasing would only be dithered into noise.
    draw.fontmode = "1"
    direction = _direction(rtl)
    y = _VERTICAL_MARGIN_PX
    for line, font, text_block, advance in rows:
        if text_block is not None:
            align = text_block.align
            if rtl and align != "center":
                align = "left" if align == "right" else "right"
            x, anchor = {
                "left": (_MARGIN_PX, "la"),
                "center": (width // 2, "ma"),
                "right": (width - _MARGIN_PX, "ra"),
            }[align]
            draw.text((x, y), line, font=font, fill=0, anchor=anchor, direction=direction)
        y += advance
    return image.convert("1", dither=Image.Dither.NONE)
