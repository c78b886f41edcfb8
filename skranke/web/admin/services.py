"""A branch's services, and how each is booked online."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.responses import Response

from skranke.queue import administration
from skranke.queue.config_values import PREFIX
from skranke.queue.configuration import BookingRules, BranchSetup, ServiceSetup
from skranke.queue.errors import NotFound
from skranke.queue.states import Area
from skranke.web.admin.common import Admin, Page, invalid, page, saved
from skranke.web.admin.forms import Form

# The kiosk's further languages: a name and what to bring in each (blank: English is shown).
KIOSK_LANGUAGES = ("uk", "ar", "pl", "tr")
AREAS = tuple(a.value for a in Area)


def find(setup: BranchSetup, key: str) -> ServiceSetup:
    found = next((s for s in setup.services if s.key == key), None)
    if found is None:
        raise NotFound(f"Unknown service {key!r}")
    return found


def service_values(s: ServiceSetup) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(s, name)
        for name in ("key", "name_da", "name_en", "prefix", "expected_minutes", "target_minutes")
    }
    values.update(
        area=s.area.value,
        walk_in="walk_in" if s.walk_in else "booking_only",
        simple=s.simple,
        sort_order=s.sort_order,
        active=s.active,
        what_to_bring_da=s.what_to_bring_da,
        what_to_bring_en=s.what_to_bring_en,
    )
    for code in KIOSK_LANGUAGES:
        values[f"name_{code}"] = s.names.get(code, "")
        values[f"what_to_bring_{code}"] = s.what_to_bring.get(code, "")
    return values


def read_service_form(form: Form) -> dict[str, Any]:
    # Read in the order the page shows the fields, so the error summary lists them so too.
    fields: dict[str, Any] = {
        "name_da": form.text("name_da", required=True, max_length=120),
        "name_en": form.text("name_en", required=True, max_length=120),
    }
    names = {c: form.text(f"name_{c}", max_length=120) for c in KIOSK_LANGUAGES}
    area = form.choice("area", AREAS)
    prefix = form.text("prefix", required=True, max_length=2).upper()
    if prefix and not form.has_error("prefix") and not PREFIX.fullmatch(prefix):
        detail = f"prefix: Expected 1 or 2 capital letters, but got {prefix!r}"
        form.fail("prefix", "bad_prefix", detail)
    fields.update(
        area=Area(area) if area in AREAS else Area.BORGERSERVICE,
        prefix=prefix,
        expected_minutes=form.integer("expected_minutes", low=1, high=240),
        target_minutes=form.integer("target_minutes", low=1, high=480),
        sort_order=form.integer("sort_order", low=0, high=999),
        walk_in=form.choice("walk_in", ("walk_in", "booking_only")) == "walk_in",
        simple=form.checkbox("simple"),
        active=form.checkbox("active"),
        what_to_bring_da=form.text("what_to_bring_da", max_length=500),
        what_to_bring_en=form.text("what_to_bring_en", max_length=500),
    )
    bring = {c: form.text(f"what_to_bring_{c}", max_length=500) for c in KIOSK_LANGUAGES}
    fields["names"] = {c: v for c, v in names.items() if v}
    fields["what_to_bring"] = {c: v for c, v in bring.items() if v}
    return fields


def _context(**extra: Any) -> dict[str, Any]:
    return {"areas": AREAS, "kiosk_languages": KIOSK_LANGUAGES, **extra}


async def service_list(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    return page(admin, "admin/services.html", services=setup.services)


async def new_service_form(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    values = {"expected_minutes": 10, "target_minutes": 15, "walk_in": "walk_in"}
    values.update(active=True, area="borgerservice", sort_order=len(setup.services) + 1)
    return page(admin, "admin/service.html", values=values, **_context(new=True))


async def new_service_post(admin: Admin) -> Response:
    form = Form(admin.posted)
    key = form.key("key")
    fields = read_service_form(form)
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    if key in {s.key for s in setup.services}:
        form.fail("key", "taken", f"key: Expected a new key, but {key!r} exists already")
    if form.errors:
        return invalid(admin, "admin/service.html", form.errors, **_context(new=True))
    service = ServiceSetup(key=key, **fields)
    args = (admin.branch_key, service)
    await admin.db.write(administration.save_service, admin.who, admin.now, *args)
    return saved(admin, True, admin.path("/services"))


async def service_form(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    service = find(setup, admin.request.path_params["service"])
    context = _context(service=service)
    return page(admin, "admin/service.html", values=service_values(service), **context)


async def service_post(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    service = find(setup, admin.request.path_params["service"])
    form = Form(admin.posted)
    fields = read_service_form(form)
    if form.errors:
        return invalid(admin, "admin/service.html", form.errors, **_context(service=service))
    args = (admin.branch_key, dataclasses.replace(service, **fields))
    changes = await admin.db.write(administration.save_service, admin.who, admin.now, *args)
    return saved(admin, changes)


def booking_values(s: ServiceSetup) -> dict[str, Any]:
    rules = s.booking or BookingRules()
    values: dict[str, Any] = dataclasses.asdict(rules)
    values["contact_limit"] = "" if rules.contact_limit is None else rules.contact_limit
    values["bookable"] = s.booking is not None
    return values


def read_booking_form(form: Form) -> BookingRules | None:
    rules = BookingRules(
        slot_minutes=form.integer("slot_minutes", low=5, high=480) or 15,
        capacity=form.integer("capacity", low=1, high=100) or 1,
        advance_days=form.integer("advance_days", low=1, high=366) or 60,
        lead_minutes=form.integer("lead_minutes", low=0, high=14 * 24 * 60) or 0,
        contact_limit=form.integer("contact_limit", low=1, high=50, required=False),
    )
    return rules if form.checkbox("bookable") else None


async def booking_list(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    return page(admin, "admin/booking_rules.html", services=setup.services)


async def booking_form(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    service = find(setup, admin.request.path_params["service"])
    values = booking_values(service)
    return page(admin, "admin/booking_rule.html", values=values, service=service)


async def booking_post(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    service = find(setup, admin.request.path_params["service"])
    form = Form(admin.posted)
    rules = read_booking_form(form)
    if form.errors:
        return invalid(admin, "admin/booking_rule.html", form.errors, service=service)
    args = (admin.branch_key, dataclasses.replace(service, booking=rules))
    changes = await admin.db.write(administration.save_service, admin.who, admin.now, *args)
    return saved(admin, changes)


PAGES = [
    Page("/admin/b/{branch}/services", "GET", service_list),
    Page("/admin/b/{branch}/services/new", "GET", new_service_form),
    Page("/admin/b/{branch}/services/new", "POST", new_service_post),
    Page("/admin/b/{branch}/services/{service}", "GET", service_form),
    Page("/admin/b/{branch}/services/{service}", "POST", service_post),
    Page("/admin/b/{branch}/booking", "GET", booking_list),
    Page("/admin/b/{branch}/booking/{service}", "GET", booking_form),
    Page("/admin/b/{branch}/booking/{service}", "POST", booking_post),
]
