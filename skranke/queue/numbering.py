"""Ticket numbers: prefix + three digits, counted per branch and prefix each local day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def service_day(now: datetime, timezone: str) -> date:
    """The local calendar day a ticket belongs to; numbering restarts at local midnight."""
    return now.astimezone(ZoneInfo(timezone)).date()


def spoken_number(number: str) -> str:
    """'K012' -> 'K 12': how the display announces it."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    return f"{prefix} {int(digits)}" if digits else number
