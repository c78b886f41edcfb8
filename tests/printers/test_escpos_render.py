from __future__ import annotations

import dataclasses
import itertools

import pytest
from PIL import Image

from skranke.printers._raster import draw_blocks
from skranke.printers.emulator import RasterImage, TextLine, parse_escpos
from skranke.printers.render import render_ticket
from skranke.printers.ticket import Text, TicketPrint

CUT = b"\x1dV\x00"


def test_small_danish_text_is_encoded_in_cp865(danish_ticket: TicketPrint) -> None:
    data = render_ticket(danish_ticket)

    assert b"F\x9blg din plads p\x86 telefonen" in data
    assert b"\x8fbent 10-18" in data


def test_en_dash_prints_as_a_hyphen_not_a_question_mark(danish_ticket: TicketPrint) -> None:
    data = render_ticket(danish_ticket)

    assert b"Tak for bes\x9bget - vi ses!" in data
    (parsed,) = parse_escpos(data)
    assert not any("?" in item.text for item in parsed.items if isinstance(item, TextLine))


def test_the_whole_ticket_uses_one_code_page(danish_ticket: TicketPrint) -> None:
    data = render_ticket(danish_ticket)

    assert data.count(b"\x1bt") == 1
    assert b"\x1bt\x05" in data  # table 5 is CP865 on Epson-compatible printers


@pytest.mark.parametrize("language", ["da", "en", "uk", "ar", "pl", "tr"])
def test_number_and_service_are_drawn_alike_in_every_language(
    danish_ticket: TicketPrint, language: str
) -> None:
    # One ticket style: the number and the service line come from a real font in every
    # language, never the printer's own font scaled up (blocky) beside smooth images.
    ticket = dataclasses.replace(danish_ticket, language=language)  # type: ignore[arg-type]
    (parsed,) = parse_escpos(render_ticket(ticket))

    texts = [item.text for item in parsed.items if isinstance(item, TextLine)]
    assert not any(item.large for item in parsed.items if isinstance(item, TextLine))
    assert "K012" not in texts and not any("rekort" in text for text in texts)
    heights = sorted(item.image.height for item in parsed.items if isinstance(item, RasterImage))
    number, service = heights[-1], heights[-2]
    assert number >= 96  # as tall as the printer font at 4x
    assert 40 <= service <= 120  # the service name on one or two lines


def test_qr_is_printed_natively_with_the_tracking_url(danish_ticket: TicketPrint) -> None:
    data = render_ticket(danish_ticket)

    assert b"\x1d(k&\x001P0https://skranke.example.dk/t/7f3a9c" in data
    (parsed,) = parse_escpos(data)
    images = [item for item in parsed.items if isinstance(item, RasterImage)]
    assert len(images) == 2  # the number and the service line; the QR is the printer's own


def test_ticket_ends_with_a_cut(danish_ticket: TicketPrint) -> None:
    assert render_ticket(danish_ticket).endswith(CUT)


@pytest.mark.parametrize("language", ["uk", "ar", "tr"])
def test_scripts_outside_cp865_print_as_raster_images_not_question_marks(
    danish_ticket: TicketPrint, language: str
) -> None:
    ticket = dataclasses.replace(danish_ticket, language=language)  # type: ignore[arg-type]

    (parsed,) = parse_escpos(render_ticket(ticket))

    assert any(isinstance(item, RasterImage) for item in parsed.items)
    assert not any("?" in item.text for item in parsed.items if isinstance(item, TextLine))
    assert parsed.qr_payloads == ["https://skranke.example.dk/t/7f3a9c"]


def test_parts_of_a_ukrainian_ticket_the_code_page_carries_stay_text(
    danish_ticket: TicketPrint,
) -> None:
    ticket = dataclasses.replace(danish_ticket, language="uk")

    (parsed,) = parse_escpos(render_ticket(ticket))

    texts = [item.text for item in parsed.items if isinstance(item, TextLine)]
    assert "Hovedbiblioteket Aarhus" in texts and "Tak for besøget - vi ses!" in texts


def test_polish_prints_as_text_on_a_printer_with_cp852(danish_ticket: TicketPrint) -> None:
    ticket = dataclasses.replace(danish_ticket, language="pl", service="Paszport", footer="")

    data = render_ticket(ticket, code_pages=("CP865", "CP852"))

    (parsed,) = parse_escpos(data)
    assert len([item for item in parsed.items if isinstance(item, RasterImage)]) == 2
    assert "Śledź swoje miejsce w kolejce na telefonie".encode("cp852") in data


def test_unknown_code_page_is_refused(danish_ticket: TicketPrint) -> None:
    with pytest.raises(ValueError, match="but got 'CP999'"):
        render_ticket(danish_ticket, code_pages=("CP999",))


def _ink_columns(image: Image.Image) -> list[int]:
    pixels = image.convert("L").load()
    assert pixels is not None
    return [x for x in range(image.width) if any(pixels[x, y] == 0 for y in range(image.height))]


def test_arabic_is_drawn_right_to_left() -> None:
    # Alef (narrow) comes first in reading order, so right to left it sits at the right end,
    # and the space after it lies right of the middle of the ink.
    image = draw_blocks([Text("ا مممممم")], width=512, rtl=True)

    columns = _ink_columns(image)
    gap_start, gap_end = max(itertools.pairwise(columns), key=lambda pair: pair[1] - pair[0])
    assert (gap_start + gap_end) / 2 > (columns[0] + columns[-1]) / 2


def test_left_aligned_arabic_lines_start_at_the_right_margin() -> None:
    image = draw_blocks([Text("رقمك", align="left")], width=512, rtl=True)

    assert min(_ink_columns(image)) > 256


def test_unknown_printer_profile_is_refused(danish_ticket: TicketPrint) -> None:
    with pytest.raises(ValueError, match="but got 'TM-9000'"):
        render_ticket(danish_ticket, profile="TM-9000")


def test_raster_images_fit_the_printer_profile_in_whole_bytes(danish_ticket: TicketPrint) -> None:
    ticket = dataclasses.replace(danish_ticket, language="uk")

    (parsed,) = parse_escpos(render_ticket(ticket, profile="TM-P80-42col"))

    widths = {item.image.width for item in parsed.items if isinstance(item, RasterImage)}
    assert widths == {544}  # the TM-P80 in 42-column mode prints 546 dots
