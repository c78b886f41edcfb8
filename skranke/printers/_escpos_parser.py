"""Decode an ESC/POS byte stream back into tickets: what a receipt printer would print."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from PIL import Image

from .render import DEFAULT_PROFILE

logger = logging.getLogger(__name__)

ESC, GS, DLE, FS, LF = 0x1B, 0x1D, 0x10, 0x1C, 0x0A

# DLE EOT answers, bit patterns from the Epson ESC/POS reference: fixed bits 1 and 4 set,
# bit 3 of n=1 means offline, bits 5-6 of n=4 mean the roll is out, bits 2-3 that it is low.
_STATUS_ONLINE = 0x16
_STATUS_OFFLINE = 0x1E
_STATUS_NO_ERROR = 0x12
_STATUS_PAPER_OUT = 0x72

# ESC/GS commands whose length never varies: total bytes including ESC/GS and the command byte.
_ESC_FIXED = {
    **dict.fromkeys(b"@<2LSv", 2),
    **dict.fromkeys(b" !%-3=?EGJKMRTUVadert{u", 3),
    **dict.fromkeys(b"$\\c", 4),
    ord("p"): 5,
    ord("W"): 10,
}
_GS_FIXED = {
    **dict.fromkeys(b":", 2),
    **dict.fromkeys(b"!BHIbfhrwaT", 3),
    **dict.fromkeys(b"LPW$\\", 4),
    ord("^"): 5,
}
_FS_FIXED = {**dict.fromkeys(b"!-CW", 3), **dict.fromkeys(b"pS", 4)}


@dataclass(frozen=True)
class TextLine:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: str = "left"

    @property
    def large(self) -> bool:
        return self.width > 1 or self.height > 1


@dataclass(frozen=True)
class QrCode:
    data: str
    module_dots: int = 3
    align: str = "left"


@dataclass(frozen=True)
class RasterImage:
    image: Image.Image
    align: str = "left"


Item = TextLine | QrCode | RasterImage


@dataclass
class ParsedTicket:
    items: list[Item] = field(default_factory=list)
    cut: bool = False

    @property
    def qr_payloads(self) -> list[str]:
        return [item.data for item in self.items if isinstance(item, QrCode)]

    def to_text(self) -> str:
        lines = []
        for item in self.items:
            if isinstance(item, QrCode):
                lines.append(f"[QR] {item.data}")
            elif isinstance(item, RasterImage):
                lines.append(f"[IMAGE {item.image.width}x{item.image.height}]")
            elif item.large:
                lines.append(f"[LARGE {item.width}x{item.height}] {item.text}")
            else:
                lines.append(item.text)
        # The feed before a cut is paper, not content.
        while lines and not lines[-1]:
            lines.pop()
        if self.cut:
            lines.append("[CUT]")
        return "\n".join(lines) + "\n"


@functools.cache
def _code_page_table(number: int) -> tuple[str, ...]:
    """The 256 characters of ESC t `number`, numbered as on Epson printers (CP865 = 5)."""
    # Late import: escpos' printer database has side effects on import (see render.py).
    from escpos.capabilities import get_profile
    from escpos.codepages import CodePages

    name = get_profile(DEFAULT_PROFILE).codePages.get(str(number), "CP437")
    encoding = CodePages.get_encoding(name)
    if "data" in encoding:
        high = list("".join(encoding["data"]))
    else:
        high = list(bytes(range(128, 256)).decode(encoding["python_encode"], errors="replace"))
    return tuple(chr(code) for code in range(128)) + tuple(high)


class EscPosDecoder:
    """Incremental: feed bytes as they arrive; commands split across reads are kept for later."""

    def __init__(self, *, paper_out: bool = False) -> None:
        self.paper_out = paper_out
        self._buffer = bytearray()
        self._ticket = ParsedTicket()
        self._reset()

    def _reset(self) -> None:
        self._code_page = 0
        self._width = self._height = 1
        self._bold = False
        self._align = "left"
        self._line: list[str] = []
        self._line_style: tuple[int, int, bool, str] | None = None
        self._qr_data = b""
        self._qr_dots = 3
        self._graphics: Image.Image | None = None

    def feed(self, data: bytes) -> tuple[list[ParsedTicket], bytes]:
        """Tickets finished by a cut in `data`, and the bytes to answer status requests with."""
        self._buffer += data
        done: list[ParsedTicket] = []
        replies = bytearray()
        position = 0
        while position < len(self._buffer):
            used = self._command(position, done, replies)
            if used == 0:
                break
            position += used
        del self._buffer[:position]
        return done, bytes(replies)

    def finish(self) -> ParsedTicket | None:
        """Whatever was printed after the last cut, when the sender hangs up."""
        self._end_line(only_if_pending=True)
        ticket, self._ticket = self._ticket, ParsedTicket()
        return ticket if ticket.items else None

    def _end_line(self, only_if_pending: bool = False) -> None:
        if only_if_pending and not self._line:
            return
        width, height, bold, align = self._line_style or (1, 1, False, self._align)
        self._ticket.items.append(TextLine("".join(self._line), width, height, bold, align))
        self._line = []
        self._line_style = None

    def _add(self, item: Item) -> None:
        self._end_line(only_if_pending=True)
        self._ticket.items.append(item)

    def _cut(self, done: list[ParsedTicket]) -> None:
        self._end_line(only_if_pending=True)
        self._ticket.cut = True
        done.append(self._ticket)
        self._ticket = ParsedTicket()

    def _command(self, at: int, done: list[ParsedTicket], replies: bytearray) -> int:
        """Bytes consumed by the command at `at`, or 0 if it is not complete yet."""
        buf = self._buffer
        byte = buf[at]
        if byte >= 0x20:
            if not self._line:
                self._line_style = (self._width, self._height, self._bold, self._align)
            self._line.append(_code_page_table(self._code_page)[byte])
            return 1
        if byte == LF:
            self._end_line()
            return 1
        if byte not in (ESC, GS, DLE, FS):
            return 1  # CR, HT and friends: nothing a ticket needs.
        if at + 1 >= len(buf):
            return 0
        if byte == DLE:
            return self._realtime(at, replies)
        if byte == FS:
            if buf[at + 1] == ord("("):
                return self._skip_with_length(at)
            size = _FS_FIXED.get(buf[at + 1], 2)
            return size if at + size <= len(buf) else 0
        if byte == ESC:
            return self._esc(at, done)
        return self._gs(at, done, replies)

    def _realtime(self, at: int, replies: bytearray) -> int:
        buf = self._buffer
        if buf[at + 1] == 0x14:  # DLE DC4 fn m t: pulse / power off / clear buffer
            return 5 if at + 5 <= len(buf) else 0
        if at + 3 > len(buf):
            return 0
        if buf[at + 1] == 0x04:
            replies.append(self._status(buf[at + 2]))
        return 3

    def _status(self, n: int) -> int:
        if n == 1:
            return _STATUS_OFFLINE if self.paper_out else _STATUS_ONLINE
        if n == 4 and self.paper_out:
            return _STATUS_PAPER_OUT
        return _STATUS_NO_ERROR

    def _esc(self, at: int, done: list[ParsedTicket]) -> int:
        buf = self._buffer
        command = buf[at + 1]
        if command == ord("*"):  # column-format bit image
            if at + 5 > len(buf):
                return 0
            dots = buf[at + 3] + 256 * buf[at + 4]
            size = 5 + dots * (1 if buf[at + 2] in (0, 1) else 3)
            if at + size > len(buf):
                return 0
            self._add(RasterImage(Image.new("1", (max(dots, 1), 24), 1), self._align))
            return size
        if command in (ord("i"), ord("m")):  # old-style cut
            self._cut(done)
            return 2
        if command == ord("D"):  # tab positions, up to a NUL
            end = buf.find(0, at + 2)
            return 0 if end < 0 else end + 1 - at
        size = _ESC_FIXED.get(command, 2)
        if at + size > len(buf):
            return 0
        argument = buf[at + 2] if size > 2 else 0
        if command == ord("@"):
            self._end_line(only_if_pending=True)
            self._reset()
        elif command == ord("t"):
            self._code_page = argument
        elif command == ord("!"):
            self._width = 2 if argument & 0x20 else 1
            self._height = 2 if argument & 0x10 else 1
            self._bold = bool(argument & 0x08)
        elif command == ord("E"):
            self._bold = bool(argument & 1)
        elif command == ord("a"):
            self._align = {0: "left", 1: "center", 2: "right"}.get(argument % 48, "left")
        elif command == ord("d"):
            # Print the pending line (or an empty one) and feed: n lines of paper in all.
            self._end_line(only_if_pending=argument == 0)
            for _ in range(argument - 1):
                self._end_line()
        elif command == ord("J"):
            self._end_line(only_if_pending=True)
        elif command not in _ESC_FIXED:
            logger.debug("Unknown ESC %r skipped", bytes([command]))
        return size

    def _skip_with_length(self, at: int) -> int:
        """Size of a `GS ( x pL pH ...` style command, or 0 if not all of it has arrived."""
        buf = self._buffer
        if at + 5 > len(buf):
            return 0
        size = 5 + buf[at + 3] + 256 * buf[at + 4]
        return size if at + size <= len(buf) else 0

    def _gs(self, at: int, done: list[ParsedTicket], replies: bytearray) -> int:
        buf = self._buffer
        command = buf[at + 1]
        if command == ord("("):
            size = self._skip_with_length(at)
            if size:
                self._gs_paren(bytes(buf[at : at + size]))
            return size
        if command == ord("v"):
            if at + 8 > len(buf):
                return 0
            row_bytes = buf[at + 4] + 256 * buf[at + 5]
            rows = buf[at + 6] + 256 * buf[at + 7]
            size = 8 + row_bytes * rows
            if at + size > len(buf):
                return 0
            data = bytes(buf[at + 8 : at + size])
            # Raster bits are 1 for a black dot; Pillow's "1;I" reads them that way round.
            image = Image.frombytes("1", (row_bytes * 8, rows), data, "raw", "1;I")
            self._add(RasterImage(image, self._align))
            return size
        if command == ord("V"):
            if at + 3 > len(buf):
                return 0
            size = 4 if buf[at + 2] in (65, 66, 97, 98, 103, 104) else 3
            if at + size > len(buf):
                return 0
            self._cut(done)
            return size
        if command == ord("k"):  # barcode: NUL-terminated (m <= 6) or length-prefixed
            if at + 4 > len(buf):
                return 0
            if buf[at + 2] <= 6:
                end = buf.find(0, at + 3)
                return 0 if end < 0 else end + 1 - at
            size = 4 + buf[at + 3]
            return size if at + size <= len(buf) else 0
        size = _GS_FIXED.get(command, 2)
        if at + size > len(buf):
            return 0
        if command == ord("!"):
            self._width = (buf[at + 2] >> 4) + 1
            self._height = (buf[at + 2] & 0x0F) + 1
        elif command == ord("r"):
            replies.append(0x0F if self.paper_out else 0x00)
        elif command not in _GS_FIXED:
            logger.debug("Unknown GS %r skipped", bytes([command]))
        return size

    def _gs_paren(self, command: bytes) -> None:
        kind, body = command[2], command[5:]
        if kind == ord("k") and len(body) >= 2 and body[0] == ord("1"):  # QR code
            function = body[1]
            if function == 67 and len(body) >= 3:  # module size in dots
                self._qr_dots = body[2]
            elif function == 80:  # store data (after the m byte)
                self._qr_data = body[3:]
            elif function == 81:  # print what was stored
                payload = self._qr_data.decode("utf-8", errors="replace")
                self._add(QrCode(payload, self._qr_dots, self._align))
        elif kind == ord("L") and len(body) >= 2:
            function = body[1]
            if function == 112 and len(body) >= 10:  # store a raster graphic
                width = body[6] + 256 * body[7]
                height = body[8] + 256 * body[9]
                data = body[10 : 10 + (width + 7) // 8 * height]
                self._graphics = Image.frombytes("1", (width, height), data, "raw", "1;I")
            elif function == 50 and self._graphics is not None:  # print it
                self._add(RasterImage(self._graphics, self._align))
                self._graphics = None


def parse_escpos(data: bytes) -> list[ParsedTicket]:
    """Every ticket in `data`; content after the last cut comes last, with `cut=False`."""
    decoder = EscPosDecoder()
    tickets, _ = decoder.feed(data)
    trailing = decoder.finish()
    return [*tickets, trailing] if trailing else tickets
