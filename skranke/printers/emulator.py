"""A loopback ESC/POS network printer that saves each ticket as text and PNG.

`skranke printer-emulator` runs it for demos; tests start it on port 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw

from ._escpos_parser import (
    EscPosDecoder,
    ParsedTicket,
    QrCode,
    RasterImage,
    TextLine,
    parse_escpos,
)
from ._raster import load_font

__all__ = [
    "EscPosDecoder",
    "ParsedTicket",
    "QrCode",
    "RasterImage",
    "TextLine",
    "draw_ticket",
    "parse_escpos",
    "run_emulator",
    "save_ticket",
    "serve_emulator",
]

logger = logging.getLogger(__name__)

PAPER_DOTS = 512
_FONT_PX = 20  # DejaVu Sans Mono at 20 px is 12 px a character: 42 columns on 512 dots
_LINE_PX = 26
_MARGIN_PX = 12
_READ_SIZE = 65536


def _draw_line(line: TextLine) -> Image.Image:
    # The printer scales its glyphs by whole factors, separately in width and height.
    font = load_font(_FONT_PX, line.bold, mono=True)
    image = Image.new("L", (max(1, int(font.getlength(line.text))), _LINE_PX), 255)
    ImageDraw.Draw(image).text((0, 0), line.text, font=font, fill=0)
    if line.large:
        size = (image.width * line.width, image.height * line.height)
        image = image.resize(size, Image.Resampling.NEAREST)
    return image


def draw_ticket(ticket: ParsedTicket) -> Image.Image:
    """The ticket as it would come out of an 80 mm printer, near enough to check by eye."""
    pieces: list[tuple[Image.Image | TextLine, str]] = []
    for item in ticket.items:
        if isinstance(item, TextLine):
            pieces.append((item, item.align))
        elif isinstance(item, QrCode):
            code = qrcode.QRCode(box_size=max(1, item.module_dots), border=2)
            code.add_data(item.data)
            code.make(fit=True)
            pieces.append((code.make_image().get_image().convert("L"), item.align))
        else:
            pieces.append((item.image.convert("L"), item.align))

    def height_of(piece: Image.Image | TextLine) -> int:
        return piece.height if isinstance(piece, Image.Image) else _LINE_PX * piece.height

    width = max([PAPER_DOTS, *(p.width for p, _ in pieces if isinstance(p, Image.Image))])
    height = 2 * _MARGIN_PX + sum(height_of(piece) for piece, _ in pieces)
    page = Image.new("L", (width + 2 * _MARGIN_PX, height), 255)
    y = _MARGIN_PX
    for piece, align in pieces:
        if isinstance(piece, Image.Image):
            x = {"center": (width - piece.width) // 2, "right": width - piece.width}.get(align, 0)
            page.paste(piece, (_MARGIN_PX + x, y))
        elif piece.text:
            line = _draw_line(piece)
            x = {"center": (width - line.width) // 2, "right": width - line.width}.get(align, 0)
            page.paste(line, (_MARGIN_PX + max(0, x), y))
        y += height_of(piece)
    return page


def _write_atomically(path: Path, data: bytes) -> None:
    # Whoever watches the folder sees a whole file or none: a half-written PNG is no ticket.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def save_ticket(ticket: ParsedTicket, out_dir: Path, number: int) -> Path:
    """Writes ticket-<number>.png, then ticket-<number>.txt (so the .txt means both are there)."""
    png = out_dir / f"ticket-{number}.png"
    buffer = io.BytesIO()
    draw_ticket(ticket).save(buffer, format="PNG")
    _write_atomically(png, buffer.getvalue())
    txt = out_dir / f"ticket-{number}.txt"
    _write_atomically(txt, ticket.to_text().encode("utf-8"))
    return txt


def _numbers_after_existing(out_dir: Path) -> Iterator[int]:
    # A restarted emulator keeps numbering instead of overwriting the last demo's tickets.
    pattern = re.compile(r"ticket-(\d+)\.txt")
    found = [int(m.group(1)) for p in out_dir.iterdir() if (m := pattern.fullmatch(p.name))]
    return itertools.count(max(found, default=0) + 1)


async def serve_emulator(
    host: str, port: int, out_dir: Path, *, paper_out: bool = False
) -> asyncio.Server:
    """Listening when it returns; port 0 picks a free port (see `server.sockets`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    numbers = _numbers_after_existing(out_dir)

    async def save(ticket: ParsedTicket) -> None:
        path = await asyncio.to_thread(save_ticket, ticket, out_dir, next(numbers))
        logger.info("Printed %s", path)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = EscPosDecoder(paper_out=paper_out)
        try:
            while data := await reader.read(_READ_SIZE):
                tickets, reply = decoder.feed(data)
                if reply:
                    writer.write(reply)
                    await writer.drain()
                for ticket in tickets:
                    await save(ticket)
            # A real printer prints what it got even without a cut; so do we.
            if trailing := decoder.finish():
                await save(trailing)
        except ConnectionError:
            logger.info("Sender went away mid-job")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(handle, host, port)


def run_emulator(host: str, port: int, out_dir: Path) -> None:
    """Serve until interrupted (Ctrl-C); what `skranke printer-emulator` calls."""

    async def main() -> None:
        server = await serve_emulator(host, port, out_dir)
        addresses = ", ".join(str(sock.getsockname()) for sock in server.sockets)
        logger.info("ESC/POS printer emulator on %s, saving tickets to %s", addresses, out_dir)
        print(f"ESC/POS printer emulator listening on {addresses}; tickets go to {out_dir}")
        async with server:
            await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
