"""Staff users: create, change role and branches, reset the password, deactivate.

A manager sees and changes only people of their own branches, and never an administrator;
`administration.save_staff` refuses anything else, this page only keeps it out of sight.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from skranke.queue import administration
from skranke.queue.config_values import USERNAME
from skranke.queue.configuration import InvalidSetup, StaffSetup
from skranke.queue.errors import Conflict, NotFound
from skranke.queue.states import Role
from skranke.web.admin.common import Admin, Page, Scope, invalid, page, saved
from skranke.web.admin.forms import RESERVED_KEYS, Form

MIN_PASSWORD = 8


def roles_for(admin: Admin) -> list[str]:
    every = [r.value for r in Role]
    return every if admin.is_admin else [r for r in every if r != Role.ADMIN]


def visible(admin: Admin, people: Sequence[StaffSetup]) -> list[StaffSetup]:
    if admin.is_admin:
        return list(people)
    mine = {b.key for b in admin.branches}
    # An empty branch list is every branch: only the municipality's administrators decide.
    return [p for p in people if p.role != Role.ADMIN and set(p.branches) & mine]


async def _people(admin: Admin) -> list[StaffSetup]:
    municipality = await admin.db.read(administration.read_municipality)
    return visible(admin, municipality.staff or ())


async def _person(admin: Admin) -> StaffSetup:
    name = admin.request.path_params["username"]
    found = next((p for p in await _people(admin) if p.username == name), None)
    if found is None:
        raise NotFound(f"Unknown user {name!r}")
    return found


def person_values(p: StaffSetup) -> dict[str, Any]:
    values: dict[str, Any] = {"username": p.username, "role": p.role.value, "active": p.active}
    values.update({f"branch-{key}": True for key in p.branches})
    return values


def read_person_form(form: Form, admin: Admin, before: StaffSetup | None) -> dict[str, Any]:
    role = form.choice("role", roles_for(admin))
    chosen = form.checked("branch-", [b.key for b in admin.branches])
    # Branches of others the manager cannot see stay as they were.
    hidden = [
        k for k in (before.branches if before else ()) if k not in {b.key for b in admin.branches}
    ]
    if role and role != Role.ADMIN and not chosen and not hidden:
        form.fail("branches", "branches", "branches: Expected at least one branch, got none")
    return {
        "role": Role(role) if role in roles_for(admin) else Role.STAFF,
        "branches": [] if role == Role.ADMIN else [*hidden, *chosen],
        "active": form.checkbox("active"),
    }


def read_password(form: Form, name: str = "password") -> str:
    password = form.raw.get(name, "")
    password = password if isinstance(password, str) else ""
    if len(password) < MIN_PASSWORD or len(password) > 200:
        detail = f"{name}: Expected {MIN_PASSWORD} to 200 characters, but got {len(password)}"
        form.fail(name, "password", detail, min=MIN_PASSWORD)
    if password != form.raw.get(f"{name}_again"):
        form.fail(f"{name}_again", "password_again", f"{name}_again: Expected the same password")
    return password


def _context(admin: Admin, **extra: Any) -> dict[str, Any]:
    return {"roles": roles_for(admin), **extra}


async def staff_list(admin: Admin) -> Response:
    people = await _people(admin)
    names = {b.key: b.name for b in admin.branches}
    return page(admin, "admin/staff.html", people=people, branch_names=names)


async def new_person_form(admin: Admin) -> Response:
    values: dict[str, Any] = {"role": "staff", "active": True}
    if len(admin.branches) == 1:
        values[f"branch-{admin.branches[0].key}"] = True
    return page(admin, "admin/person.html", values=values, **_context(admin, new=True))


async def new_person_post(admin: Admin) -> Response:
    form = Form(admin.posted)
    username = form.text("username", required=True, max_length=60)
    if username and not form.has_error("username") and not USERNAME.fullmatch(username):
        form.fail("username", "username", f"username: Expected a-z, 0-9, . _ -, got {username!r}")
    elif username in RESERVED_KEYS:
        form.fail("username", "taken", f"username: Expected another name than {username!r}")
    fields, password = read_person_form(form, admin, None), read_password(form)
    if form.errors:
        return invalid(admin, "admin/person.html", form.errors, **_context(admin, new=True))
    setup = StaffSetup(username=username, **fields)
    try:
        await admin.db.write(administration.save_staff, admin.who, admin.now, setup, password)
    except InvalidSetup as exc:
        return invalid(admin, "admin/person.html", exc.errors, **_context(admin, new=True))
    except Conflict as exc:
        form.fail("username", "taken", exc.detail)
        return invalid(admin, "admin/person.html", form.errors, **_context(admin, new=True))
    return saved(admin, True, "/admin/staff")


async def person_form(admin: Admin) -> Response:
    person = await _person(admin)
    context = _context(admin, person=person)
    return page(admin, "admin/person.html", values=person_values(person), **context)


async def person_post(admin: Admin) -> Response:
    person = await _person(admin)
    form = Form(admin.posted)
    fields = read_person_form(form, admin, person)
    if form.errors:
        context = _context(admin, person=person)
        return invalid(admin, "admin/person.html", form.errors, **context)
    changed = dataclasses.replace(person, **fields)
    changes = await admin.db.write(administration.save_staff, admin.who, admin.now, changed)
    return saved(admin, changes)


async def password_post(admin: Admin) -> Response:
    person = await _person(admin)
    form = Form(admin.posted)
    password = read_password(form)
    if form.errors:
        context = _context(admin, person=person, values=person_values(person))
        return page(admin, "admin/person.html", 422, errors=form.errors, **context)
    args = (person.username, password)
    await admin.db.write(administration.reset_password, admin.who, admin.now, *args)
    return saved(admin, True, f"/admin/staff/{person.username}", fields=["password"])


PAGES = [
    Page("/admin/staff", "GET", staff_list, Scope.ANY),
    Page("/admin/staff/new", "GET", new_person_form, Scope.ANY),
    Page("/admin/staff/new", "POST", new_person_post, Scope.ANY),
    Page("/admin/staff/{username}", "GET", person_form, Scope.ANY),
    Page("/admin/staff/{username}", "POST", person_post, Scope.ANY),
    Page("/admin/staff/{username}/password", "POST", password_post, Scope.ANY),
]
