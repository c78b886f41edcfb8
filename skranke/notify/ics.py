"""The appointment as an iCalendar (.ics) file, in the branch's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event


def appointment_ics(
    *,
    code: str,
    summary: str,
    start: datetime,
    end: datetime,
    timezone: str,
    location: str,
    description: str,
    url: str,
    now: datetime,
    cancelled: bool = False,
) -> bytes:
    tz = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//skranke//booking//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{code}@skranke")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start.astimezone(tz))
    event.add("dtend", end.astimezone(tz))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    # A VTIMEZONE lets every calendar program place TZID=Europe/Copenhagen correctly.
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data
