from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from PIL import Image

from skranke.printers.connections import printer_from_url, send_async
from skranke.printers.emulator import (
    EscPosDecoder,
    QrCode,
    RasterImage,
    TextLine,
    parse_escpos,
    serve_emulator,
)
from skranke.printers.render import render_ticket
from skranke.printers.ticket import TicketPrint


async def _print_through_emulator(out_dir: Path, *jobs: bytes) -> None:
    def saved() -> int:
        return len(list(out_dir.glob("ticket-*.txt")))

    expected = saved() + len(jobs)
    server = await serve_emulator("127.0.0.1", 0, out_dir)
    async with server:
        port = server.sockets[0].getsockname()[1]
        printer = printer_from_url(f"network://127.0.0.1:{port}", timeout=5)
        for job in jobs:
            await send_async(printer, job, timeout=5)
        for _ in range(250):
            if saved() >= expected:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"Expected {expected} tickets within 5 s, but got {saved()}")


def test_emulator_saves_the_ticket_as_decoded_text(
    danish_ticket: TicketPrint, tmp_path: Path
) -> None:
    asyncio.run(_print_through_emulator(tmp_path, render_ticket(danish_ticket)))

    text = (tmp_path / "ticket-1.txt").read_text(encoding="utf-8")
    assert "Hovedbiblioteket Aarhus" in text and "Foran dig: 3" in text
    assert "[IMAGE 512x" in text  # the number and the service line are drawn
    assert "[QR] https://skranke.example.dk/t/7f3a9c" in text
    assert text.endswith("[CUT]\n")


def test_emulator_saves_the_ticket_as_a_png(danish_ticket: TicketPrint, tmp_path: Path) -> None:
    asyncio.run(_print_through_emulator(tmp_path, render_ticket(danish_ticket)))

    with Image.open(tmp_path / "ticket-1.png") as image:
        assert image.format == "PNG"
        assert image.width >= 512
        assert image.height > 600
        image.verify()


def test_emulator_marks_raster_images_in_the_text(
    danish_ticket: TicketPrint, tmp_path: Path
) -> None:
    ticket = dataclasses.replace(danish_ticket, language="ar")

    asyncio.run(_print_through_emulator(tmp_path, render_ticket(ticket)))

    assert "[IMAGE 512x" in (tmp_path / "ticket-1.txt").read_text(encoding="utf-8")


def test_emulator_continues_numbering_after_earlier_tickets(
    danish_ticket: TicketPrint, tmp_path: Path
) -> None:
    (tmp_path / "ticket-7.txt").write_text("earlier demo\n", encoding="utf-8")

    asyncio.run(_print_through_emulator(tmp_path, render_ticket(danish_ticket)))

    assert (tmp_path / "ticket-8.txt").exists()
    assert (tmp_path / "ticket-7.txt").read_text(encoding="utf-8") == "earlier demo\n"


def test_parser_splits_tickets_at_each_cut(danish_ticket: TicketPrint) -> None:
    second = dataclasses.replace(danish_ticket, number="K013")

    tickets = parse_escpos(render_ticket(danish_ticket) + render_ticket(second))

    assert [t.cut for t in tickets] == [True, True]
    first, second = ([i.image for i in t.items if isinstance(i, RasterImage)] for t in tickets)
    assert first[0].tobytes() != second[0].tobytes()  # K012, then K013


def test_parser_decodes_text_in_the_selected_code_page() -> None:
    data = b"\x1b@\x1bt\x05K\x9brekort\n\x1bt\x00\x94\n"

    (ticket,) = parse_escpos(data)

    assert [item.text for item in ticket.items if isinstance(item, TextLine)] == ["Kørekort", "ö"]
    assert ticket.cut is False


def test_parser_reads_the_same_ticket_when_bytes_arrive_one_at_a_time(
    danish_ticket: TicketPrint,
) -> None:
    data = render_ticket(dataclasses.replace(danish_ticket, language="uk"))
    decoder = EscPosDecoder()

    tickets = [ticket for i in range(len(data)) for ticket in decoder.feed(data[i : i + 1])[0]]

    assert tickets == parse_escpos(data)


def test_parser_keeps_qr_module_size_and_raster_pixels() -> None:
    raster = b"\x1dv0\x00\x01\x00\x02\x00\x80\x01"  # 8x2 dots: top-left and bottom-right black
    qr = b"\x1d(k\x03\x001C\x06\x1d(k\x07\x001P0abcd\x1d(k\x03\x001Q0"

    (ticket,) = parse_escpos(raster + qr)

    image, code = ticket.items
    assert isinstance(image, RasterImage)
    assert [image.image.getpixel((0, 0)), image.image.getpixel((7, 1))] == [0, 0]
    assert image.image.getpixel((1, 0)) == 255
    assert code == QrCode("abcd", module_dots=6)


def test_decoder_answers_status_requests_as_online_with_paper() -> None:
    decoder = EscPosDecoder()

    _, reply = decoder.feed(b"\x10\x04\x01\x10\x04\x04")

    assert reply == b"\x16\x12"
