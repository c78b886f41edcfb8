"""Reading one table of raw values (a TOML table, a form) with every fault collected."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from skranke.queue.configuration import FieldError
from skranke.queue.states import LANGUAGES

E = TypeVar("E", bound=StrEnum)
HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
OTHER_LANGUAGES = tuple(lang for lang in LANGUAGES if lang not in ("da", "en"))
_TRUE = {"true", "on", "1", "yes", "ja"}
_FALSE = {"false", "off", "0", "no", "nej"}


class Values:
    """One table being read: values by name, faults collected in `errors`."""

    def __init__(self, data: object, path: str, errors: list[FieldError]) -> None:
        self.path, self.errors = path, errors
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        if not isinstance(data, Mapping):
            self.fault("", "not_a_table", f"Expected a table, but got {data!r}")

    def at(self, name: str) -> str:
        if not name:
            return self.path
        return f"{self.path}.{name}" if self.path else name

    def fault(self, name: str, code: str, detail: str, **params: Any) -> None:
        self.errors.append(FieldError(self.at(name), code, detail, params))

    def only(self, *names: str) -> None:
        for name in sorted(set(self.data) - set(names)):
            self.fault(name, "unknown_field", f"Unknown field {name!r}; expected one of {names}")

    def given(self, name: str) -> Any:
        value = self.data.get(name)
        return None if value == "" else value

    def text(self, name: str, max_len: int, *, required: bool = False, default: str = "") -> str:
        value = self.given(name)
        if value is None:
            if required:
                self.fault(name, "required", "Expected a value, but got none")
            return default
        if not isinstance(value, str):
            self.fault(name, "bad_choice", f"Expected text, but got {value!r}")
            return default
        value = value.strip()
        if len(value) > max_len:
            self.fault(name, "too_long", f"Expected at most {max_len} characters", max=max_len)
        return value

    def matching(self, name: str, pattern: re.Pattern[str], code: str, what: str) -> str:
        value = self.text(name, 200, required=True)
        if value and not pattern.fullmatch(value):
            self.fault(name, code, f"Expected {what}, but got {value!r}", value=value)
        return value

    def integer(self, name: str, lo: int, hi: int, default: int) -> int:
        found = self.maybe_integer(name, lo, hi)
        return default if found is None else found

    def maybe_integer(self, name: str, lo: int, hi: int) -> int | None:
        value = self.given(name)
        if value is None:
            return None
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fault(name, "not_a_number", f"Expected a whole number, but got {value!r}")
            return None
        if not lo <= value <= hi:
            self.fault(
                name, "out_of_range", f"Expected {lo}..{hi}, but got {value}", min=lo, max=hi
            )
            return None
        return value

    def number(self, value: object, name: str, lo: float, hi: float) -> float | None:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value.replace(",", "."))
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fault(name, "not_a_number", f"Expected a number, but got {value!r}")
            return None
        if not lo <= value <= hi:
            self.fault(
                name, "out_of_range", f"Expected {lo}..{hi}, but got {value}", min=lo, max=hi
            )
            return None
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.given(name)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if not isinstance(value, bool):
            self.fault(name, "not_a_bool", f"Expected true or false, but got {value!r}")
            return default
        return value

    def choice(self, name: str, enum: type[E], default: E | None = None) -> E | None:
        value = self.given(name)
        if value is None:
            if default is None:
                self.fault(name, "required", "Expected a value, but got none")
            return default
        try:
            return enum(value)
        except ValueError:
            options = [e.value for e in enum]
            self.fault(name, "bad_choice", f"Expected one of {options}, but got {value!r}",
                       options=options)  # fmt: skip
            return default

    def table(self, name: str) -> Values:
        value = self.data.get(name, {})
        return Values(value, self.at(name), self.errors)

    def items(self, name: str) -> list[Any]:
        value = self.data.get(name, [])
        if not isinstance(value, list | tuple):
            self.fault(name, "not_a_list", f"Expected a list, but got {value!r}")
            return []
        return list(value)

    def texts_by_language(self, name: str, max_len: int) -> dict[str, str]:
        table = self.table(name)
        table.only(*OTHER_LANGUAGES)
        return {
            lang: text
            for lang in OTHER_LANGUAGES
            if (text := table.text(lang, max_len)) and lang in table.data
        }
