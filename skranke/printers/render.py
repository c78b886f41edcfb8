"""A laid-out ticket as ESC/POS bytes, built on python-escpos' `Dummy` printer."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from escpos.constants import QR_ECLEVEL_M

from ._raster import draw_blocks
from .ticket import Feed, Layout, Qr, Text, TicketPrint, layout_ticket

# Epson's TM-T88 line is the most common kiosk printer; its table numbers (CP865 = 5) are the
# ones almost every ESC/POS clone copies. 80 mm paper, 512 dots, 42 columns in font A.
DEFAULT_PROFILE = "TM-T88V"
# One code page per ticket: python-escpos' automatic encoder switches code pages mid-line,
# which many clones get wrong. A printer known to carry more tables can be given e.g.
# ("CP865", "CP852", "CP857") to print Polish and Turkish as text instead of as an image.
DEFAULT_CODE_PAGES: tuple[str, ...] = ("CP865",)
QR_MODULE_DOTS = 6

# Typography people paste into service names and footers, which no DOS code page carries.
# Replaced only when the chosen page lacks the character, so "«" stays where it exists.
_ASCII_FALLBACKS = {
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",  # minus sign
    "\u2010": "-",
    "\u2011": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2007": " ",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",
    "\u2022": "*",
    "\u00b7": "*",
    "\u20ac": "EUR",
    "\u2122": "TM",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
    "\u2192": "->",
}


def render_ticket(
    ticket: TicketPrint,
    *,
    profile: str | None = None,
    code_pages: Sequence[str] = DEFAULT_CODE_PAGES,
) -> bytes:
    return render_layout(layout_ticket(ticket), profile=profile, code_pages=code_pages)


def render_layout(
    layout: Layout,
    *,
    profile: str | None = None,
    code_pages: Sequence[str] = DEFAULT_CODE_PAGES,
) -> bytes:
    # Imported here, not at the top: importing escpos' printer classes loads its 1 MB printer
    # database into a fresh temp dir and calls logging.basicConfig(), which an import of
    # skranke must not do.
    from escpos.capabilities import CAPABILITIES
    from escpos.printer import Dummy

    name = profile or DEFAULT_PROFILE
    if name not in CAPABILITIES["profiles"]:
        raise ValueError(
            f"Expected a python-escpos printer profile such as {DEFAULT_PROFILE!r}, "
            f"but got {name!r}"
        )
    printer = Dummy(profile=name)
    # Raster rows are whole bytes; a wider row than the head would wrap on some printers.
    width = _paper_width_dots(printer.profile, name) // 8 * 8
    columns = int(printer.profile.get_columns("a"))
    printer.hw("INIT")

    encoder = printer.magic.encoder
    small = [b.text for b in layout.blocks if isinstance(b, Text) and not b.large]
    code_page = choose_code_page(small, encoder, code_pages)
    printer.charcode(code_page)
    for block in layout.blocks:
        if isinstance(block, Feed):
            printer.ln(block.lines)
        elif isinstance(block, Qr):
            _print_qr(printer, block.data)
        else:
            # One style in every language: the number and the service line are drawn from a
            # real font (the printer's own font scaled 4x is blocky, and Ukrainian or Arabic
            # would be drawn anyway); the small lines are the printer's font where the code
            # page carries them, which prints faster and sharper at that size.
            text = None if block.large else to_code_page(block.text, encoder, code_page)
            if text is None:
                printer.image(draw_blocks([block], width, layout.rtl), impl="bitImageRaster")
            else:
                _print_text(printer, block, text, columns)

    printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
    printer.cut()
    return bytes(printer.output)


def to_code_page(text: str, encoder: Any, code_page: str) -> str | None:
    """`text` with ASCII stand-ins where `code_page` lacks a character, or None if it cannot."""
    out = []
    for char in text:
        if encoder.can_encode(code_page, char):
            out.append(char)
            continue
        fallback = _ASCII_FALLBACKS.get(char)
        if fallback is None:
            return None
        out.append(fallback)
    return "".join(out)


def choose_code_page(texts: Sequence[str], encoder: Any, code_pages: Sequence[str]) -> str:
    """The first of `code_pages` that carries every text, else the first one.

    Texts the chosen page cannot carry are then printed as images, one text at a time, so a
    Ukrainian ticket still prints its number and a Danish service name as crisp text.
    """
    if not code_pages:
        raise ValueError("Expected at least one code page, but got none")
    names = [code_page.upper() for code_page in code_pages]
    for name in names:
        if name not in encoder.codepages:
            raise ValueError(
                f"Expected a code page of the printer profile "
                f"({', '.join(sorted(encoder.codepages))}), but got {name!r}"
            )
    for name in names:
        if all(to_code_page(text, encoder, name) is not None for text in texts):
            return name
    return names[0]


def _paper_width_dots(profile: Any, name: str) -> int:
    pixels = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    if not isinstance(pixels, int):
        # python-escpos prints a warning to stdout and skips its width check for such profiles.
        raise ValueError(
            f"Expected a printer profile with a known paper width in dots, "
            f"but {name!r} has {pixels!r}"
        )
    return pixels


def _print_qr(printer: Any, data: str) -> None:
    # Native QR is drawn by the printer itself: a few dozen bytes instead of a raster image.
    # Alignment applies to it, but python-escpos refuses `center=True` for native codes.
    printer.set(align="center")
    printer.qr(data, native=True, size=QR_MODULE_DOTS, ec=QR_ECLEVEL_M)
    printer.ln()


def _print_text(printer: Any, block: Text, text: str, columns: int) -> None:
    printer.set(
        align=block.align,
        bold=block.bold,
        custom_size=True,
        width=block.width,
        height=block.height,
    )
    # Wrapped here so a line breaks between words; the printer would break mid-word.
    for line in textwrap.wrap(text, max(1, columns // block.width)) or [""]:
        printer.textln(line)
