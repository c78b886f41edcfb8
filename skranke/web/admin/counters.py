"""A branch's counters and the service x priority grid, edited together as one table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from skranke.queue import administration
from skranke.queue.accounts import Principal
from skranke.queue.configuration import BranchSetup, Change, CounterSetup
from skranke.queue.states import Area
from skranke.store import Conn
from skranke.web.admin.common import Admin, Page, invalid, lang_of, page, saved
from skranke.web.admin.forms import Form

AREAS = tuple(a.value for a in Area)


def weight_text(weight: float | None) -> str:
    if weight is None:
        return ""
    return str(int(weight)) if weight == int(weight) else str(weight)


def grid_values(setup: BranchSetup) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for c in setup.counters:
        values.update({f"name-{c.number}": c.name, f"area-{c.number}": c.area.value})
        values[f"active-{c.number}"] = c.active
        for s in setup.services:
            values[f"w-{c.number}-{s.key}"] = weight_text(c.priorities.get(s.key))
    return values


def grid_labels(setup: BranchSetup, lang: str) -> dict[str, str]:
    """What the error summary calls each cell: "Skranke 3, Pas"."""
    word = "Skranke" if lang == "da" else "Counter"
    labels = {}
    for c in setup.counters:
        labels[f"name-{c.number}"] = f"{word} {c.number}"
        for s in setup.services:
            name = s.name_da if lang == "da" else s.name_en
            labels[f"w-{c.number}-{s.key}"] = f"{word} {c.number}, {name}"
    return labels


def read_grid(form: Form, setup: BranchSetup) -> list[CounterSetup]:
    counters = []
    for c in setup.counters:
        n = c.number
        weights = {s.key: form.weight(f"w-{n}-{s.key}") for s in setup.services}
        area = form.choice(f"area-{n}", AREAS)
        counters.append(
            CounterSetup(
                number=n,
                area=Area(area) if area in AREAS else c.area,
                priorities={k: w for k, w in weights.items() if w is not None},
                name=form.text(f"name-{n}", max_length=60),
                active=form.checkbox(f"active-{n}"),
            )
        )
    return counters


def save_counters(
    conn: Conn, actor: Principal, now: Any, branch_key: str, counters: Sequence[CounterSetup]
) -> list[Change]:
    """Every row of the table, in one transaction: all of it is saved, or none."""
    changes: list[Change] = []
    for counter in counters:
        changes += administration.save_counter(conn, actor, now, branch_key, counter)
    return changes


async def counter_grid(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    fresh = {"area": Area.BORGERSERVICE.value}
    context: dict[str, Any] = {"setup": setup, "areas": AREAS, "new_values": fresh}
    return page(admin, "admin/counters.html", values=grid_values(setup), **context)


async def counter_grid_post(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    form = Form(admin.posted)
    counters = read_grid(form, setup)
    if form.errors:
        labels = grid_labels(setup, lang_of(admin))
        context = {"setup": setup, "areas": AREAS, "labels": labels, "new_values": {}}
        return invalid(admin, "admin/counters.html", form.errors, **context)
    args = (admin.branch_key, counters)
    changes = await admin.db.write(save_counters, admin.who, admin.now, *args)
    return saved(admin, changes)


async def new_counter_post(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    form = Form(admin.posted)
    number = form.integer("number", low=1, high=999)
    name, area = form.text("name", max_length=60), form.choice("area", AREAS)
    if number in {c.number for c in setup.counters}:
        form.fail("number", "taken", f"number: Expected a new number, but {number} exists")
    if form.errors:
        context: dict[str, Any] = {"setup": setup, "areas": AREAS, "new_values": form.values}
        values = grid_values(setup)
        return page(admin, "admin/counters.html", 422, errors=form.errors, values=values, **context)
    # A new counter serves its own area's services at first; the grid changes that.
    served = {s.key: 1.0 for s in setup.services if s.area == area and s.active}
    counter = CounterSetup(number=number or 0, area=Area(area), priorities=served, name=name)
    args = (admin.branch_key, counter)
    await admin.db.write(administration.save_counter, admin.who, admin.now, *args)
    return saved(admin, True, admin.path("/counters"))


PAGES = [
    Page("/admin/b/{branch}/counters", "GET", counter_grid),
    Page("/admin/b/{branch}/counters", "POST", counter_grid_post),
    Page("/admin/b/{branch}/counters/new", "POST", new_counter_post),
]
