"""The one interface every printer connection implements, and how it fails."""

from __future__ import annotations

import abc
from enum import Enum


class PrinterStatus(Enum):
    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"  # answered, but not printing: cover open, error, disabled queue
    UNREACHABLE = "unreachable"  # no connection at all
    UNKNOWN = "unknown"  # connected but no answer, or the connection cannot ask


class PrinterError(Exception):
    """A failed print; `permanent` means retrying cannot help until someone fixes the config.

    `status` is what the printer said was wrong, when it was asked (a print agent asks).
    """

    def __init__(
        self, message: str, permanent: bool = False, status: PrinterStatus | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


class Printer(abc.ABC):
    url: str

    @abc.abstractmethod
    def send(self, data: bytes) -> None:
        """Deliver one job or raise PrinterError. Blocks: call through `send_async`."""

    def status(self) -> PrinterStatus:
        return PrinterStatus.UNKNOWN

    def close(self) -> None:
        return None
