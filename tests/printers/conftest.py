from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from skranke.printers.ticket import TicketPrint

COPENHAGEN_WINTER = timezone(timedelta(hours=1))


@pytest.fixture
def danish_ticket() -> TicketPrint:
    return TicketPrint(
        branch="Hovedbiblioteket Aarhus",
        number="K012",
        service="Kørekort – fornyelse (Ærø/Åbenrå)",
        issued_at=datetime(2025, 3, 12, 14, 5, tzinfo=COPENHAGEN_WINTER),
        position=3,
        wait_minutes=10,
        qr_url="https://skranke.example.dk/t/7f3a9c",
        footer="Tak for besøget – vi ses!\nÅbent 10–18",
        language="da",
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never reads or answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A tiny receive window, inherited by the queued connections, so a sender stalls quickly.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
