"""Opening hours: drop-in and booking windows per weekday, and days that differ."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from starlette.responses import Response

from skranke.queue import administration
from skranke.queue.calendar import WEEKDAYS, danish_holidays
from skranke.queue.configuration import BranchSetup
from skranke.web.admin.common import Admin, Page, invalid, lang_of, page, saved
from skranke.web.admin.forms import Form
from skranke.web.i18n import translator

KINDS = ("dropin", "booking")
# Two windows a day are enough for a lunch break; the file takes more (`skranke config`).
WINDOWS = 2


def hours_values(setup: BranchSetup) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for kind in KINDS:
        days = setup.hours.get(kind, {})
        for day in WEEKDAYS:
            for i, (start, end) in enumerate(days.get(day, [])[:WINDOWS]):
                values[f"{kind}-{day}-{i}-from"], values[f"{kind}-{day}-{i}-to"] = start, end
    return values


def read_windows(form: Form, prefix: str) -> list[list[str]]:
    windows = [w for i in range(WINDOWS) if (w := form.window(f"{prefix}-{i}")) is not None]
    if len(windows) == 2 and windows[1][0] < windows[0][1]:
        form.fail(f"{prefix}-1-from", "overlap", f"{prefix}: Expected windows in order")
    return windows


def read_hours(form: Form) -> dict[str, Any]:
    hours: dict[str, Any] = {}
    for kind in KINDS:
        days = {day: read_windows(form, f"{kind}-{day}") for day in WEEKDAYS}
        hours[kind] = {day: windows for day, windows in days.items() if windows}
    return hours


def read_special(form: Form, setup: BranchSetup) -> tuple[list[str], dict[str, Any]]:
    """The days that differ: those kept from before, and the one added."""
    closed = [d for d in setup.closed_dates if not form.checkbox(f"remove-{d}")]
    special = {d: v for d, v in setup.special_hours.items() if not form.checkbox(f"remove-{d}")}
    day = form.date("new_date")
    other = {kind: read_windows(form, f"new-{kind}") for kind in KINDS}
    if day and form.choice("new_kind", ("closed", "hours")) == "closed":
        closed = sorted({*closed, day})
        special.pop(day, None)
    elif day and not any(other.values()) and not form.errors:
        form.fail("new-dropin-0-from", "no_hours", "new: Expected hours, or choose closed")
    elif day:
        special[day] = other
        closed = [d for d in closed if d != day]
    return closed, dict(sorted(special.items()))


# "fredag 25. december 2026" (docs/glossary.md, "Times and dates").
DATE_PATTERN = {"da": "EEEE d. MMMM y", "en": "EEEE d MMMM y"}


def long_date(day: date, lang: str) -> str:
    return format_date(day, DATE_PATTERN.get(lang, DATE_PATTERN["en"]), locale=lang)


def holidays_ahead(today: date, lang: str) -> list[tuple[date, str, str]]:
    """The Danish public holidays of the coming 12 months: date, as written, name."""
    until = today + timedelta(days=365)
    found = {**danish_holidays(today.year), **danish_holidays(today.year + 1)}
    ahead = sorted((d, name) for d, name in found.items() if today <= d <= until)
    return [(d, long_date(d, lang), name) for d, name in ahead]


def _context(admin: Admin, setup: BranchSetup) -> dict[str, Any]:
    today = admin.now.astimezone(ZoneInfo(setup.timezone)).date()
    return {
        "setup": setup,
        "weekdays": WEEKDAYS,
        "kinds": KINDS,
        "holidays": holidays_ahead(today, lang_of(admin)),
        "long_date": lambda iso: long_date(date.fromisoformat(iso), lang_of(admin)),
        "labels": _labels(lang_of(admin)),
    }


def _labels(lang: str) -> dict[str, str]:
    """What the error summary calls each time field: "Drop-in, tirsdag, tidsrum 1"."""
    _ = translator(lang)
    labels = {}
    for kind in KINDS:
        for day in WEEKDAYS:
            for i in range(WINDOWS):
                text = _(
                    "admin.hours.cell",
                    kind=_(f"admin.hours.{kind}"),
                    day=_(f"admin.day.{day}"),
                    n=i + 1,
                )
                labels[f"{kind}-{day}-{i}-from"] = labels[f"{kind}-{day}-{i}-to"] = text
                text = _("admin.hours.new_cell", kind=_(f"admin.hours.{kind}"), n=i + 1)
                labels[f"new-{kind}-{i}-from"] = labels[f"new-{kind}-{i}-to"] = text
    return labels


async def hours_form(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    values = {**hours_values(setup), "new_kind": "closed"}
    return page(admin, "admin/hours.html", values=values, **_context(admin, setup))


async def hours_post(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    form = Form(admin.posted)
    hours = read_hours(form)
    closed, special = read_special(form, setup)
    if form.errors:
        return invalid(admin, "admin/hours.html", form.errors, **_context(admin, setup))
    changed = dataclasses.replace(setup, hours=hours, closed_dates=closed, special_hours=special)
    changes = await admin.db.write(administration.save_branch, admin.who, admin.now, changed)
    return saved(admin, changes)


PAGES = [
    Page("/admin/b/{branch}/hours", "GET", hours_form),
    Page("/admin/b/{branch}/hours", "POST", hours_post),
]
