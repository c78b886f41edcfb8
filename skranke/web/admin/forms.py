"""Reading a posted form into plain values, collecting EVERY field error rather than the first.

A page builds a `Form` over the posted fields, asks it for each value (`text`, `integer`,
`choice`, ...) and then looks at `form.errors`: each a `FieldError` naming the field, a code
the page translates (`admin.error.<code>` in the catalogue) and an English detail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import available_timezones

from skranke.queue.config_values import KEY
from skranke.queue.configuration import FieldError
from skranke.web.inputs import control_character

MAX_TEXT = 200
RESERVED_KEYS = frozenset({"new"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_DATE = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


class Form:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: list[FieldError] = []
        # What the page shows again when the form comes back with errors: what was typed.
        self.values: dict[str, str] = {k: v for k, v in raw.items() if isinstance(v, str)}

    def fail(self, name: str, code: str, detail: str, **params: Any) -> None:
        self.errors.append(FieldError(name, code, detail, params))

    def has_error(self, name: str) -> bool:
        return any(e.path == name for e in self.errors)

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str:
        raw = self.raw.get(name, "")
        value = raw.strip() if isinstance(raw, str) else ""
        bad = control_character(value.replace("\n", "").replace("\r", "").replace("\t", ""))
        if required and not value:
            self.fail(name, "required", f"{name}: Expected a value, but got none")
        elif len(value) > max_length:
            self.fail(
                name,
                "too_long",
                f"{name}: Expected at most {max_length} characters, but got {len(value)}",
                max=max_length,
            )
        elif bad is not None:
            self.fail(name, "control_character", f"{name}: Expected text, but got U+{ord(bad):04X}")
        return value

    def key(self, name: str) -> str:
        value = self.text(name, required=True, max_length=40)
        if value and not self.has_error(name) and not KEY.fullmatch(value):
            self.fail(
                name,
                "bad_key",
                f"{name}: Expected lower-case letters, digits and -, but got {value!r}",
            )
        elif value in RESERVED_KEYS:
            # "/admin/b/x/services/new" is the page that makes one.
            self.fail(name, "taken", f"{name}: Expected another key than {value!r}")
        return value

    def integer(self, name: str, *, low: int, high: int, required: bool = True) -> int | None:
        value = self.text(name, max_length=12)
        if not value:
            if required:
                self.fail(name, "required", f"{name}: Expected a whole number, but got none")
            return None
        if not re.fullmatch(r"-?[0-9]+", value):
            self.fail(name, "not_a_number", f"{name}: Expected a whole number, but got {value!r}")
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(
                name,
                "out_of_range",
                f"{name}: Expected {low} to {high}, but got {number}",
                min=low,
                max=high,
            )
            return None
        return number

    def weight(self, name: str) -> float | None:
        """A priority in the service x counter grid; blank means the service is not served."""
        value = self.text(name, max_length=12).replace(",", ".")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0 < number <= 100:
            self.fail(name, "weight", f"{name}: Expected a number above 0 up to 100, got {value!r}")
            return None
        return number

    def choice(self, name: str, options: Iterable[str], *, required: bool = True) -> str:
        allowed = list(options)
        value = self.text(name, max_length=60)
        if not value and not required:
            return ""
        if value not in allowed:
            self.fail(
                name,
                "bad_choice",
                f"{name}: Expected one of {', '.join(allowed)}, but got {value!r}",
            )
        return value

    def checkbox(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def checked(self, prefix: str, options: Iterable[str]) -> list[str]:
        return [o for o in options if self.checkbox(f"{prefix}{o}")]

    def email(self, name: str) -> str:
        value = self.text(name)
        if value and not self.has_error(name) and not _EMAIL.fullmatch(value):
            self.fail(name, "bad_email", f"{name}: Expected an e-mail address, but got {value!r}")
        return value

    def url(self, name: str, schemes: tuple[str, ...] = ("https://", "http://")) -> str:
        value = self.text(name)
        if value and not self.has_error(name) and not value.startswith(schemes):
            self.fail(
                name,
                "bad_url",
                f"{name}: Expected an address starting {' or '.join(schemes)}, but got {value!r}",
                schemes=" / ".join(schemes),
            )
        return value

    def timezone(self, name: str) -> str:
        value = self.text(name, required=True, max_length=60)
        if value and not self.has_error(name) and value not in _zones():
            self.fail(name, "timezone", f"{name}: Expected an IANA time zone, but got {value!r}")
        return value

    def clock(self, name: str) -> str:
        value = self.text(name, max_length=5)
        if value and not _HHMM.fullmatch(value):
            self.fail(name, "bad_time", f"{name}: Expected HH:MM, but got {value!r}")
            return ""
        return value

    def date(self, name: str, *, required: bool = False) -> str:
        value = self.text(name, required=required, max_length=10)
        if value and not _DATE.fullmatch(value):
            self.fail(name, "bad_date", f"{name}: Expected a date YYYY-MM-DD, but got {value!r}")
            return ""
        return value

    def window(self, prefix: str) -> list[str] | None:
        """One opening window from `<prefix>-from` and `<prefix>-to`; None when both blank."""
        start, end = self.clock(f"{prefix}-from"), self.clock(f"{prefix}-to")
        if self.has_error(f"{prefix}-from") or self.has_error(f"{prefix}-to"):
            return None
        if not start and not end:
            return None
        if not start or not end or start >= end:
            self.fail(
                f"{prefix}-from",
                "bad_window",
                f"{prefix}: Expected a start before an end, but got {start or '-'}-{end or '-'}",
            )
            return None
        return [start, end]


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None
