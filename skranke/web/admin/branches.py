"""The overview, a branch's own details and its logo."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from skranke.queue import administration
from skranke.queue.branch_logo import LOGO_TYPES, MAX_LOGO_BYTES, logo, save_logo
from skranke.queue.configuration import BranchSetup, FieldError
from skranke.store.engine import Database
from skranke.web.admin.common import Admin, Page, Scope, invalid, page, saved
from skranke.web.admin.forms import Form

BRANCH_TEXTS = ("name", "address", "ticket_footer", "municipality", "contact_phone")
TIMEZONES = ("Europe/Copenhagen", "Atlantic/Faroe", "America/Nuuk")


def branch_values(setup: BranchSetup) -> dict[str, Any]:
    return {
        "key": setup.key,
        **{name: getattr(setup, name) for name in BRANCH_TEXTS},
        "timezone": setup.timezone,
        "contact_email": setup.contact_email,
        "contact_url": setup.contact_url,
        "active": setup.active,
    }


def read_branch_form(form: Form) -> dict[str, Any]:
    return {
        "name": form.text("name", required=True, max_length=120),
        "address": form.text("address"),
        "timezone": form.timezone("timezone"),
        "ticket_footer": form.text("ticket_footer"),
        "municipality": form.text("municipality", max_length=120),
        "contact_email": form.email("contact_email"),
        "contact_phone": form.text("contact_phone", max_length=40),
        "contact_url": form.url("contact_url"),
        "active": form.checkbox("active"),
    }


async def overview(admin: Admin) -> Response:
    return page(admin, "admin/overview.html")


async def new_branch_form(admin: Admin) -> Response:
    values = {"timezone": "Europe/Copenhagen", "active": True}
    return page(admin, "admin/branch.html", values=values, new=True, timezones=TIMEZONES)


async def new_branch_post(admin: Admin) -> Response:
    form = Form(admin.posted)
    key = form.key("key")
    fields = read_branch_form(form)
    if key in {b.key for b in admin.branches}:
        form.fail("key", "taken", f"key: Expected a new key, but {key!r} exists already")
    if form.errors:
        return invalid(admin, "admin/branch.html", form.errors, new=True, timezones=TIMEZONES)
    setup = BranchSetup(key=key, **fields)
    await admin.db.write(administration.save_branch, admin.who, admin.now, setup)
    return saved(admin, True, f"/admin/b/{key}")


async def branch_form(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    has_logo = await admin.db.read(logo, admin.branch_key) is not None
    values = branch_values(setup)
    return page(admin, "admin/branch.html", values=values, timezones=TIMEZONES, has_logo=has_logo)


async def branch_post(admin: Admin) -> Response:
    form = Form(admin.posted)
    fields = read_branch_form(form)
    if form.errors:
        return invalid(admin, "admin/branch.html", form.errors, timezones=TIMEZONES)
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    changed = dataclasses.replace(setup, **fields)
    changes = await admin.db.write(administration.save_branch, admin.who, admin.now, changed)
    return saved(admin, changes)


def logo_upload(admin: Admin) -> tuple[UploadFile | None, list[FieldError]]:
    upload = admin.posted.get("logo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, [FieldError("logo", "required", "logo: Expected a file, but got none")]
    if upload.content_type not in LOGO_TYPES:
        detail = f"logo: Expected PNG or SVG, but got {upload.content_type!r}"
        return None, [FieldError("logo", "logo_type", detail)]
    return upload, []


def logo_errors(data: bytes, content_type: str) -> list[FieldError]:
    if len(data) > MAX_LOGO_BYTES:
        detail = f"logo: Expected at most {MAX_LOGO_BYTES} bytes, but got {len(data)}"
        return [FieldError("logo", "logo_size", detail, {"kib": MAX_LOGO_BYTES // 1024})]
    looks_right = (
        data.startswith(b"\x89PNG\r\n\x1a\n")
        if content_type == "image/png"
        else b"<svg" in data[:2048]
    )
    if not looks_right:
        return [FieldError("logo", "logo_type", "logo: Expected a PNG or SVG file")]
    return []


async def logo_post(admin: Admin) -> Response:
    if admin.posted.get("remove"):
        changed = await admin.db.write(save_logo, admin.who, admin.now, admin.branch_key, None)
        return saved(admin, changed, admin.path())
    upload, errors = logo_upload(admin)
    data = await upload.read(MAX_LOGO_BYTES + 1) if upload else b""
    content_type = upload.content_type or "" if upload else ""
    errors = errors or logo_errors(data, content_type)
    if errors:
        setup = await admin.db.read(administration.read_branch, admin.branch_key)
        values = branch_values(setup)
        context = {"values": values, "timezones": TIMEZONES, "logo_errors": True}
        return page(admin, "admin/branch.html", 422, errors=errors, **context)
    args = (admin.branch_key, data, content_type)
    changed = await admin.db.write(save_logo, admin.who, admin.now, *args)
    return saved(admin, changed, admin.path(), fields=["logo"] if changed else [])


async def logo_image(request: Request) -> Response:
    db: Database = request.app.state.db
    found = await db.read(logo, request.path_params["branch"])
    if found is None:
        return Response("No logo", status_code=404, media_type="text/plain")
    data, content_type = found
    # An SVG could carry script: served as an image that may run nothing and load nothing.
    headers = {
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "Cache-Control": "public, max-age=300",
    }
    return Response(data, media_type=content_type, headers=headers)


PAGES = [
    Page("/admin", "GET", overview, Scope.ANY),
    Page("/admin/branches/new", "GET", new_branch_form, Scope.ADMIN),
    Page("/admin/branches/new", "POST", new_branch_post, Scope.ADMIN),
    Page("/admin/b/{branch}", "GET", branch_form),
    Page("/admin/b/{branch}", "POST", branch_post),
    Page("/admin/b/{branch}/logo", "POST", logo_post),
]
PUBLIC = [Route("/logo/{branch}", logo_image, methods=["GET"])]
