from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from skranke.printers.ticket import LABELS, LANGUAGES, Qr, Text, TicketPrint, layout_ticket


def test_every_language_has_every_label() -> None:
    keys = set(LABELS["da"])

    assert set(LABELS) == set(LANGUAGES)
    assert all(set(labels) == keys and all(labels.values()) for labels in LABELS.values())


def test_layout_prints_the_number_at_four_times_normal_size(danish_ticket: TicketPrint) -> None:
    layout = layout_ticket(danish_ticket)

    number = next(b for b in layout.blocks if isinstance(b, Text) and b.text == "K012")
    assert (number.width, number.height) == (4, 4)


def test_layout_tells_how_many_are_ahead_and_the_wait(danish_ticket: TicketPrint) -> None:
    texts = layout_ticket(danish_ticket).texts()

    assert "Foran dig: 3" in texts
    assert "Forventet ventetid ca. 10 min" in texts


def test_layout_says_you_are_next_when_nobody_is_ahead(danish_ticket: TicketPrint) -> None:
    ticket = dataclasses.replace(danish_ticket, position=0, language="en")

    assert "You are next" in layout_ticket(ticket).texts()


def test_layout_leaves_out_an_unknown_wait(danish_ticket: TicketPrint) -> None:
    ticket = dataclasses.replace(danish_ticket, wait_minutes=None)

    assert not any("ventetid" in text for text in layout_ticket(ticket).texts())


def test_layout_carries_the_tracking_url_as_qr(danish_ticket: TicketPrint) -> None:
    layout = layout_ticket(danish_ticket)

    assert Qr("https://skranke.example.dk/t/7f3a9c") in layout.blocks


def test_layout_keeps_footer_lines(danish_ticket: TicketPrint) -> None:
    texts = layout_ticket(danish_ticket).texts()

    assert texts[-2:] == ["Tak for besøget – vi ses!", "Åbent 10–18"]


def test_layout_strips_control_bytes_that_would_reach_the_printer(
    danish_ticket: TicketPrint,
) -> None:
    ticket = dataclasses.replace(danish_ticket, service="Pas\x1bd\x00\x1dV\x00")

    assert "Pas d  V" in layout_ticket(ticket).texts()


def test_layout_is_right_to_left_for_arabic_only(danish_ticket: TicketPrint) -> None:
    directions = {
        language: layout_ticket(dataclasses.replace(danish_ticket, language=language)).rtl
        for language in LANGUAGES
    }

    assert [language for language, rtl in directions.items() if rtl] == ["ar"]


def test_ticket_refuses_a_naive_issue_time(danish_ticket: TicketPrint) -> None:
    with pytest.raises(ValueError, match="Expected an aware issued_at"):
        dataclasses.replace(danish_ticket, issued_at=datetime(2025, 3, 12, 14, 5))


def test_ticket_refuses_an_unknown_language(danish_ticket: TicketPrint) -> None:
    with pytest.raises(ValueError, match="but got 'sv'"):
        dataclasses.replace(danish_ticket, language="sv")  # type: ignore[arg-type]
