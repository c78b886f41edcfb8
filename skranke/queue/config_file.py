"""`kommune.toml`: the municipality's set-up as a file a person reads, reviews and edits.

Read with the standard library's `tomllib`, which gives values but no positions; `_lines` finds
the line of each table and key with a small scan of the text, so that every fault is reported
as `kommune.toml:LINE: path: message`. Written by `dump` in one fixed order, a table per thing
and nothing that equals "not set", so an export is stable and a diff between two shows only
what changed. (A TOML writer library would do the quoting, but not the order, the blank lines
or the leaving out; the shape is small and fixed.)
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from skranke.queue.config_plan import plain
from skranke.queue.config_values import municipality_from
from skranke.queue.configuration import (
    Action,
    BranchSetup,
    Change,
    CounterSetup,
    DeviceSetup,
    FieldError,
    InvalidSetup,
    Municipality,
    ServiceSetup,
    StaffSetup,
)

HEADER = """\
# The set-up of a municipality's branches for skranke: `skranke config export` wrote it.
# Edit it, check it with `skranke config apply kommune.toml --dry-run`, then apply it without
# --dry-run. docs/configuration.md explains every field. Applying the same file twice changes
# nothing; a service or counter left out is deactivated (deleted only if it was never used).
"""


def load(text: str, known_branches: Sequence[str] = ()) -> Municipality:
    """The set-up in `text`; InvalidSetup with every fault, each with its line, otherwise."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise InvalidSetup([FieldError("", "bad_toml", str(exc), line=line)]) from None
    try:
        return municipality_from(data, known_branches)
    except InvalidSetup as exc:
        lines = _lines(text)
        faults = [_with_line(e, lines) for e in exc.errors]
        # In the order of the file, as a person reads it top to bottom.
        faults.sort(key=lambda e: (e.line or 0, e.path))
        raise InvalidSetup(faults) from None


def describe(error: FieldError, source: str) -> str:
    """`kommune.toml:12: branches[0].services[1].prefix: Expected ...`, as compilers say it."""
    where = source if error.line is None else f"{source}:{error.line}"
    return f"{where}: {error.path or '(file)'}: {error.detail}"


def dump(setup: Municipality) -> str:
    out = [HEADER]
    for branch in setup.branches:
        out += _branch(branch)
    if setup.staff is not None:
        out.append(
            "# Staff who log in. Passwords are never here: a user made from this file logs in\n"
            "# once an administrator sets a password (/admin, or `skranke set-password`).\n"
        )
        for person in setup.staff:
            out += _staff(person)
    return "\n".join(out)


def describe_change(change: Change) -> list[str]:
    """A plan step as `skranke config apply` prints it: a headline, then a line per field."""
    head = f"{change.action.value} {change.entity.value} {change.key}"
    if change.left_out:
        head += "  (left out of the file; deleted instead if it was never used)"
    if change.action == Action.CREATE:
        shown = [(f, new) for f, (_, new) in change.fields.items() if new not in (None, "", [], {})]
        return [head, *(f"    {f}: {_shown(new)}" for f, new in shown)]
    if change.left_out:
        return [head]
    return [
        head,
        *(f"    {f}: {_shown(old)} → {_shown(new)}" for f, (old, new) in change.fields.items()),
    ]


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- writing -------------------------------------------------------------------------------


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string: the same escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"Expected a TOML value, but got {value!r}")


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _table(header: str, values: Iterable[tuple[str, Any]], *, array: bool = False) -> list[str]:
    lines = [f"[[{header}]]" if array else f"[{header}]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in values if v is not None]
    return ["\n".join(lines) + "\n"]


def _set(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> list[tuple[str, Any]]:
    # Leave out what equals its default, so a file says only what is particular to it.
    return [(k, v) for k, v in values.items() if k not in defaults or defaults[k] != v]


def _branch(b: BranchSetup) -> list[str]:
    out = _table(
        "branches",
        _set(
            {
                "key": b.key,
                "name": b.name,
                "address": b.address,
                "timezone": b.timezone,
                "ticket_footer": b.ticket_footer,
                "municipality": b.municipality,
                "contact_email": b.contact_email,
                "contact_phone": b.contact_phone,
                "contact_url": b.contact_url,
                "closed_dates": list(b.closed_dates),
                "active": b.active,
            },
            {"timezone": "Europe/Copenhagen", "closed_dates": [], "active": True, "address": ""}
            | dict.fromkeys(("ticket_footer", "municipality", "contact_email"), "")
            | dict.fromkeys(("contact_phone", "contact_url"), ""),
        ),
        array=True,
    )
    hours = plain(b.hours)
    for kind in ("dropin", "booking"):
        if hours.get(kind):
            out += _table(f"branches.hours.{kind}", hours[kind].items())
    for day, special in plain(b.special_hours).items():
        out += _table(f"branches.special_hours.{_key(day)}", special.items())
    policy = [(k, v) for k, v in vars(b.policy).items() if v is not None]
    if policy:
        out += _table("branches.policy", policy)
    for s in b.services:
        out += _service(s)
    for c in b.counters:
        out += _counter(c)
    for d in b.devices:
        out += _device(d)
    return out


def _service(s: ServiceSetup) -> list[str]:
    out = _table(
        "branches.services",
        _set(
            {
                "key": s.key,
                "name_da": s.name_da,
                "name_en": s.name_en,
                "area": s.area.value,
                "prefix": s.prefix,
                "expected_minutes": s.expected_minutes,
                "target_minutes": s.target_minutes,
                "walk_in": s.walk_in,
                "simple": s.simple,
                "sort_order": s.sort_order,
                "active": s.active,
                "what_to_bring_da": s.what_to_bring_da,
                "what_to_bring_en": s.what_to_bring_en,
            },
            {"active": True, "what_to_bring_da": "", "what_to_bring_en": ""},
        ),
        array=True,
    )
    if s.names:
        out += _table("branches.services.names", sorted(s.names.items()))
    if s.what_to_bring:
        out += _table("branches.services.what_to_bring", sorted(s.what_to_bring.items()))
    if s.booking is not None:
        out += _table("branches.services.booking", vars(s.booking).items())
    return out


def _counter(c: CounterSetup) -> list[str]:
    values = {"number": c.number, "name": c.name, "area": c.area.value, "active": c.active}
    out = _table("branches.counters", _set(values, {"active": True, "name": ""}), array=True)
    if c.priorities:
        weights = [(k, float(w)) for k, w in sorted(c.priorities.items())]
        out += _table("branches.counters.priorities", weights)
    return out


def _device(d: DeviceSetup) -> list[str]:
    values = {
        "key": d.key,
        "kind": d.kind.value,
        "name": d.name,
        "printer_url": d.printer_url,
        "area": None if d.area is None else d.area.value,
        "language": d.language,
        "active": d.active,
    }
    defaults = {"language": "da", "active": True, "name": ""}
    return _table("branches.devices", _set(values, defaults), array=True)


def _staff(s: StaffSetup) -> list[str]:
    values = {
        "username": s.username,
        "role": s.role.value,
        "branches": list(s.branches),
        "active": s.active,
    }
    return _table("staff", _set(values, {"active": True}), array=True)


# --- finding lines -------------------------------------------------------------------------

_ARRAY = re.compile(r"\[\[\s*(.+?)\s*\]\]")
_TABLE = re.compile(r"\[\s*(.+?)\s*\]")
_ASSIGN = re.compile(
    r"((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _parts(dotted: str) -> list[str]:
    found = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return [a or b or c for a, b, c in found]


def _lines(text: str) -> dict[str, int]:
    """Dotted path ("branches[1].services[0].prefix") -> the line where it is written."""
    lines: dict[str, int] = {}
    index: dict[str, int] = {}  # array-of-tables path (without indices) -> current index
    current = ""
    depth = 0  # open brackets of a value that runs over several lines
    quote: str | None = None  # inside a multi-line string
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if quote is not None:
            if line.count(quote) % 2 == 1:
                quote = None
            continue
        if depth == 0 and not line.startswith("#"):
            if found := _ARRAY.fullmatch(line.split("#")[0].strip()):
                name = ".".join(_parts(found.group(1)))
                index[name] = index.get(name, -1) + 1
                for other in [k for k in index if k.startswith(name + ".")]:
                    del index[other]
                current = _resolve(name, index)
                lines.setdefault(current, number)
            elif found := _TABLE.fullmatch(line.split("#")[0].strip()):
                current = _resolve(".".join(_parts(found.group(1))), index)
                lines.setdefault(current, number)
            elif found := _ASSIGN.match(line):
                key = ".".join(_parts(found.group(1)))
                lines.setdefault(f"{current}.{key}" if current else key, number)
        for q in ('"""', "'''"):
            if line.count(q) % 2 == 1:
                quote = q
        depth = max(0, depth + _brackets(line.split("=", 1)[-1] if depth == 0 else line))
    return lines


def _brackets(value: str) -> int:
    # Brackets inside strings do not count; a comment ends the line.
    value = re.sub(r"\"(?:\\.|[^\"\\])*\"|'[^']*'", "", value).split("#")[0]
    return value.count("[") + value.count("{") - value.count("]") - value.count("}")


def _resolve(name: str, index: Mapping[str, int]) -> str:
    parts = name.split(".")
    path = []
    for i, part in enumerate(parts):
        prefix = ".".join(parts[: i + 1])
        path.append(f"{part}[{index[prefix]}]" if prefix in index else part)
    return ".".join(path)


def _with_line(error: FieldError, lines: Mapping[str, int]) -> FieldError:
    path = error.path
    while path:
        if path in lines:
            return FieldError(error.path, error.code, error.detail, error.params, lines[path])
        # Up one level: "a[1].b" -> "a[1]" -> "a".
        path = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path) if re.search(r"[.\[]", path) else ""
    return error
