"""A branch's own rules, each falling back to the server's SKRANKE_* setting when blank."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.responses import Response

from skranke.config import Settings
from skranke.queue import administration
from skranke.queue.configuration import Policy
from skranke.web.admin.common import Admin, Page, invalid, page, saved
from skranke.web.admin.forms import Form

# Field, the server setting it falls back to, and the range a person could mean.
FIELDS = {
    "overflow_threshold_minutes": ("overflow_threshold_minutes", 1, 240),
    "recall_limit": ("recall_limit", 0, 10),
    "booking_call_window_minutes": ("booking_call_window_minutes", 0, 60),
    "cutoff_minutes": ("ticket_cutoff_minutes", 0, 240),
}


def _context(admin: Admin) -> dict[str, Any]:
    settings: Settings = admin.request.app.state.settings
    return {"defaults": {f: getattr(settings, s) for f, (s, _, _) in FIELDS.items()}}


async def policy_form(admin: Admin) -> Response:
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    values = {f: "" if v is None else v for f, v in dataclasses.asdict(setup.policy).items()}
    return page(admin, "admin/policy.html", values=values, **_context(admin))


async def policy_post(admin: Admin) -> Response:
    form = Form(admin.posted)
    fields = {
        name: form.integer(name, low=low, high=high, required=False)
        for name, (_, low, high) in FIELDS.items()
    }
    if form.errors:
        return invalid(admin, "admin/policy.html", form.errors, **_context(admin))
    setup = await admin.db.read(administration.read_branch, admin.branch_key)
    changed = dataclasses.replace(setup, policy=Policy(**fields))
    changes = await admin.db.write(administration.save_branch, admin.who, admin.now, changed)
    return saved(admin, changes)


PAGES = [
    Page("/admin/b/{branch}/policy", "GET", policy_form),
    Page("/admin/b/{branch}/policy", "POST", policy_post),
]
