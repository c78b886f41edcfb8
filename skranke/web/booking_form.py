"""Reading the booking form: CSRF, honeypot, consent, then the citizen's details."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from skranke.queue import bookings
from skranke.queue.bookings import Contact
from skranke.queue.errors import InvalidInput
from skranke.web.inputs import control_character, in_window
from skranke.web.sessions import CSRF_FIELD, csrf_ok

FIELD_ERRORS = {f: f"book.error.{f}" for f in ("name", "email", "phone")}
# Hidden from people (off-screen, skipped by Tab); form-filling bots fill it in.
HONEYPOT = "website"


class FormError(Exception):
    """One problem with the form, as a catalogue key the page shows in the citizen's language."""

    def __init__(self, key: str, status: int = 422) -> None:
        super().__init__(key)
        self.key, self.status = key, status


def check_csrf(request: Request, values: dict[str, str]) -> None:
    if not csrf_ok(request, values.get(CSRF_FIELD)):
        raise FormError("book.error.csrf", status=403)


def read_start(values: dict[str, str]) -> datetime:
    try:
        start = datetime.fromisoformat(values.get("start", ""))
    except ValueError:
        raise FormError("book.error.gone", status=409) from None
    if start.tzinfo is None or not in_window(start):
        raise FormError("book.error.gone", status=409)
    return start


def check_text(values: dict[str, str]) -> None:
    """No control characters in any field: PostgreSQL refuses NUL, and none belongs in one."""
    bad = next((k for k, v in values.items() if control_character(v, "\t\r\n")), None)
    if bad is not None:
        raise FormError(FIELD_ERRORS.get(bad, "book.error.generic"))


def read_booking_form(
    request: Request, values: dict[str, str], language: str
) -> tuple[Contact, datetime]:
    check_csrf(request, values)
    if values.get(HONEYPOT):
        raise FormError("book.error.generic")
    check_text(values)
    start = read_start(values)
    name = " ".join(values.get("name", "").split())
    if not name or len(name) > 120:
        raise FormError("book.error.name")
    email = values.get("email", "").strip() or None
    if email is not None and not bookings.EMAIL.fullmatch(email):
        raise FormError("book.error.email")
    try:
        phone = bookings.normalise_phone(values.get("phone"))
    except InvalidInput:
        raise FormError("book.error.phone") from None
    if email is None and phone is None:
        raise FormError("book.error.contact")
    if values.get("consent") != "yes":
        raise FormError("book.error.consent")
    return bookings.contact(
        name, email, phone, language if language in ("da", "en") else "da"
    ), start
