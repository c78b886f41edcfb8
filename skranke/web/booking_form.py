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
# Which field each error belongs beside (the summary links to it).
ERROR_FIELD = {
    "book.error.name": "name",
    "book.error.email": "email",
    "book.error.phone": "phone",
    "book.error.contact": "email",
    "book.error.consent": "consent",
}
# Hidden from people (off-screen, skipped by Tab); form-filling bots fill it in.
HONEYPOT = "website"


class FormError(Exception):
    """What is wrong with the form, as catalogue keys the page shows in the citizen's language:
    every field at fault at once, so nobody fixes one field only to learn of the next."""

    def __init__(self, key: str | list[str], status: int = 422) -> None:
        self.keys = [key] if isinstance(key, str) else key
        super().__init__(", ".join(self.keys))
        self.status = status

    @property
    def key(self) -> str:
        return self.keys[0]


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
    bad = sorted(
        {FIELD_ERRORS.get(k, "book.error.generic") for k, v in values.items() if bad_text(v)}
    )
    if bad:
        raise FormError(bad)


def bad_text(value: str) -> bool:
    return control_character(value, "\t\r\n") is not None


def read_contact(values: dict[str, str], language: str) -> Contact:
    """The citizen's name and how to reach them; FormError naming every field at fault."""
    check_text(values)
    errors = []
    name = " ".join(values.get("name", "").split())
    if not name or len(name) > 120:
        errors.append("book.error.name")
    email = values.get("email", "").strip() or None
    if email is not None and not bookings.EMAIL.fullmatch(email):
        errors.append("book.error.email")
    try:
        phone = bookings.normalise_phone(values.get("phone"))
    except InvalidInput:
        errors.append("book.error.phone")
        phone = None
    if email is None and not values.get("phone", "").strip():
        errors.append("book.error.contact")
    if errors:
        raise FormError(errors)
    # Notices are written in Danish and English; other page languages get Danish ones.
    return bookings.contact(name, email, phone, language if language in ("da", "en") else "da")


def read_booking_form(
    request: Request, values: dict[str, str], language: str
) -> tuple[Contact, datetime]:
    check_csrf(request, values)
    if values.get(HONEYPOT):
        raise FormError("book.error.generic")
    start = read_start(values)
    try:
        who = read_contact(values, language)
        errors = []
    except FormError as exc:
        errors = exc.keys
    if values.get("consent") != "yes":
        errors.append("book.error.consent")
    if errors:
        raise FormError(errors)
    return who, start
