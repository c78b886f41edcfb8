"""A branch's kiosks and displays: make, rename, printer, test print, a new token."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response

from skranke.printers._interface import PrinterError
from skranke.printers.connections import printer_from_url
from skranke.queue import administration, directory
from skranke.queue.configuration import BranchSetup, DeviceSetup
from skranke.queue.errors import NotFound
from skranke.queue.states import LANGUAGES, Area, DeviceKind
from skranke.store import Conn, configuration
from skranke.web.admin.common import Admin, Page, invalid, page, saved
from skranke.web.admin.forms import Form
from skranke.web.admin.printing import sample_ticket, test_print

KINDS = tuple(k.value for k in DeviceKind)
AREAS = ("", *(a.value for a in Area))


def overview(conn: Conn, branch_key: str, now: datetime) -> dict[str, Any]:
    """The set-up of the branch's devices with how each is doing: last contact, printer."""
    setup = administration.read_branch(conn, branch_key)
    status = {d["key"]: d for d in directory.devices(conn, branch_key, now)}
    branch_id = configuration.branch_ids(conn, [branch_key])[branch_key]
    contact = {r.key: r.last_contact_at for r in configuration.devices(conn, [branch_id])}
    return {"setup": setup, "health": status, "contact": contact}


def find(setup: BranchSetup, key: str) -> DeviceSetup:
    found = next((d for d in setup.devices if d.key == key), None)
    if found is None:
        raise NotFound(f"Unknown device {key!r}")
    return found


def device_values(d: DeviceSetup) -> dict[str, Any]:
    values = {"key": d.key, "kind": d.kind.value, "name": d.name, "language": d.language}
    values.update(printer_url=d.printer_url or "", area=d.area.value if d.area else "")
    return {**values, "active": d.active}


def read_device_form(form: Form, kind: str) -> dict[str, Any]:
    url = form.text("printer_url") if kind == DeviceKind.KIOSK else ""
    if url and not form.has_error("printer_url"):
        try:
            printer_from_url(url)
        except PrinterError as exc:
            form.fail("printer_url", "printer_url", f"printer_url: {exc}")
    area = form.choice("area", AREAS, required=False)
    return {
        "name": form.text("name", max_length=60),
        "printer_url": url or None,
        "area": Area(area) if area in AREAS[1:] else None,
        "language": form.choice("language", LANGUAGES),
        "active": form.checkbox("active"),
    }


def device_url(admin: Admin, device: DeviceSetup, token: str) -> str:
    base = admin.request.app.state.settings.public_url.rstrip("/")
    return f"{base}/{device.kind.value}/{device.key}#token={token}"


def forget_tokens(admin: Admin) -> None:
    # Who a token belongs to is remembered for seconds (auth.TokenCache): a rotated or
    # deactivated device must be refused at once, not after that.
    admin.request.app.state.tokens.clear()


def _context(**extra: Any) -> dict[str, Any]:
    return {"kinds": KINDS, "areas": AREAS, "languages_all": LANGUAGES, **extra}


async def device_list(admin: Admin) -> Response:
    found = await admin.db.read(overview, admin.branch_key, admin.now)
    values = {"kind": "kiosk", "language": "da", "active": True}
    return page(admin, "admin/devices.html", values=values, **_context(**found))


async def new_device_post(admin: Admin) -> Response:
    form = Form(admin.posted)
    key, kind = form.key("key"), form.choice("kind", KINDS)
    fields = read_device_form(form, kind)
    if key and await admin.db.read(configuration.device, key) is not None:
        form.fail("key", "taken", f"key: Expected a new key, but {key!r} exists already")
    if form.errors:
        found = await admin.db.read(overview, admin.branch_key, admin.now)
        return invalid(admin, "admin/devices.html", form.errors, **_context(**found))
    device = DeviceSetup(key=key, kind=DeviceKind(kind), **fields)
    args = (admin.branch_key, device)
    _, token = await admin.db.write(administration.save_device, admin.who, admin.now, *args)
    url = device_url(admin, device, token or "")
    return page(admin, "admin/device_token.html", device=device, url=url, created=True)


async def device_form(admin: Admin) -> Response:
    found = await admin.db.read(overview, admin.branch_key, admin.now)
    device = find(found["setup"], admin.request.path_params["device"])
    context = _context(device=device, **found)
    return page(admin, "admin/device.html", values=device_values(device), **context)


async def device_post(admin: Admin) -> Response:
    found = await admin.db.read(overview, admin.branch_key, admin.now)
    device = find(found["setup"], admin.request.path_params["device"])
    form = Form(admin.posted)
    fields = read_device_form(form, device.kind)
    if form.errors:
        context = _context(device=device, **found)
        return invalid(admin, "admin/device.html", form.errors, **context)
    args = (admin.branch_key, dataclasses.replace(device, **fields))
    changes, _ = await admin.db.write(administration.save_device, admin.who, admin.now, *args)
    forget_tokens(admin)
    return saved(admin, changes)


async def rotate_post(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    device = find(setup, admin.request.path_params["device"])
    key = device.key
    token = await admin.db.write(administration.rotate_device_token, admin.who, admin.now, key)
    forget_tokens(admin)
    url = device_url(admin, device, token)
    return page(admin, "admin/device_token.html", device=device, url=url, created=False)


async def test_print_post(admin: Admin) -> Response:
    found = await admin.db.read(overview, admin.branch_key, admin.now)
    setup: BranchSetup = found["setup"]
    device = find(setup, admin.request.path_params["device"])
    outcome = None
    if device.printer_url:
        public = admin.request.app.state.settings.public_url
        local = admin.now.astimezone(ZoneInfo(setup.timezone))
        ticket = sample_ticket(setup.name, setup.ticket_footer, local, public)
        outcome = await test_print(admin.request.app.state.spooler, device.printer_url, ticket)
    context = _context(device=device, outcome=outcome, tested=True, **found)
    return page(admin, "admin/device.html", values=device_values(device), **context)


PAGES = [
    Page("/admin/b/{branch}/devices", "GET", device_list),
    Page("/admin/b/{branch}/devices/new", "POST", new_device_post),
    Page("/admin/b/{branch}/devices/{device}", "GET", device_form),
    Page("/admin/b/{branch}/devices/{device}", "POST", device_post),
    Page("/admin/b/{branch}/devices/{device}/rotate", "POST", rotate_post),
    Page("/admin/b/{branch}/devices/{device}/test-print", "POST", test_print_post),
]
