"""What every administration page shares: who may look, which branch, the form's round trip.

Every page is a `Page` row: its path, method and who it is for. `endpoint` wraps the page's
own handler so the handler starts from an `Admin` that has already passed the checks: logged
in (else the login page), an administrator or manager (else 403), the branch in the path one
of theirs (else 404, the same answer as an unknown branch, so a manager never learns the
names of other branches), and on a POST the session's CSRF token in the form (else 400).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.queue import errors as domain
from skranke.queue.accounts import Principal
from skranke.queue.configuration import Change, FieldError, InvalidSetup
from skranke.queue.states import PrincipalKind
from skranke.store import Conn
from skranke.store import branches as branch_store
from skranke.store.engine import Database
from skranke.web.admin.nav import BRANCH_NAV, NAV
from skranke.web.endpoints import now_of
from skranke.web.i18n import LANGUAGE_NAMES, translator
from skranke.web.sessions import CSRF_FIELD, csrf_ok, csrf_token, session, session_principal
from skranke.web.templating import language, render

FLASH = "admin_flash"
ADMINISTRATORS = frozenset({PrincipalKind.ADMIN, PrincipalKind.MANAGER})
# The largest form is the grid: a field per counter and service (40 x 40 is far beyond any
# branch); the body limit in `edge` bounds the bytes anyway.
MAX_FORM_FIELDS = 2000


class Scope(StrEnum):
    ADMIN = "admin"  # administrators only (a new branch)
    ANY = "any"  # administrators and managers, no branch in the path
    BRANCH = "branch"  # the path names a branch: one of the caller's


@dataclass(frozen=True)
class Branch:
    id: int
    key: str
    name: str
    active: bool
    timezone: str = "Europe/Copenhagen"


@dataclass
class Admin:
    """The request as a page sees it, after the checks."""

    request: Request
    who: Principal
    now: datetime
    branches: list[Branch]  # every branch this caller administers
    branch: Branch | None = None
    form: FormData | None = None
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        db: Database = self.request.app.state.db
        return db

    @property
    def posted(self) -> Mapping[str, Any]:
        return self.form if self.form is not None else {}

    @property
    def is_admin(self) -> bool:
        return self.who.kind == PrincipalKind.ADMIN

    @property
    def branch_key(self) -> str:
        assert self.branch is not None, "a branch page without its branch"
        return self.branch.key

    def path(self, rest: str = "") -> str:
        return f"/admin/b/{self.branch_key}{rest}"


Handler = Callable[[Admin], Awaitable[Response]]


@dataclass(frozen=True)
class Page:
    path: str
    method: str
    handler: Handler
    scope: Scope = Scope.BRANCH


def visible_branches(conn: Conn, who: Principal) -> list[Branch]:
    return [
        Branch(r.id, r.key, r.name, bool(r.active), r.timezone)
        for r in branch_store.every_branch(conn)
        if who.may_use_branch(r.id)
    ]


def _login(request: Request) -> Response:
    here = request.url.path if request.method == "GET" else "/admin"
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


async def _admin_of(request: Request, page: Page) -> Admin | Response:
    who = session_principal(request)
    if who is None:
        return _login(request)
    if who.kind not in ADMINISTRATORS or (
        page.scope == Scope.ADMIN and who.kind != PrincipalKind.ADMIN
    ):
        return message(request, 403, "admin.forbidden")
    db: Database = request.app.state.db
    admin = Admin(request, who, now_of(request.app), await db.read(visible_branches, who))
    if "branch" in request.path_params:
        key = request.path_params["branch"]
        admin.branch = next((b for b in admin.branches if b.key == key), None)
        if admin.branch is None:
            return message(request, 404, "admin.not_found")
    if request.method == "POST":
        admin.form = await request.form(max_fields=MAX_FORM_FIELDS)
        if not csrf_ok(request, admin.form.get(CSRF_FIELD)):
            return message(request, 400, "admin.error_csrf")
    return admin


def endpoint(page: Page) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        admin = await _admin_of(request, page)
        if isinstance(admin, Response):
            return admin
        try:
            return await page.handler(admin)
        except domain.NotFound:
            return message(request, 404, "admin.not_found")
        except domain.Forbidden as exc:
            return message(request, 403, "admin.forbidden", exc.detail)
        except InvalidSetup as exc:
            # The use case found what the page's own checks let through: say all of it.
            return message(request, 422, "admin.invalid", errors=exc.errors)
        except domain.InvalidInput as exc:
            return message(request, 422, "admin.invalid", exc.detail)
        except domain.Conflict as exc:
            return message(request, 409, "admin.conflict", exc.detail)

    return run


def routes(pages: Sequence[Page]) -> list[Route]:
    return [Route(p.path, endpoint(p), methods=[p.method]) for p in pages]


def message(
    request: Request,
    status: int,
    text: str,
    detail: str = "",
    errors: Sequence[FieldError] = (),
) -> Response:
    lang = language(request)
    # A path of the set-up ("branches[0].services[1].prefix") names its field last.
    listed = [(e.path.rsplit(".", 1)[-1], "", error_text(lang, e)) for e in errors]
    context = {"status": status, "text": text, "detail": detail, "problems": listed}
    context.update(_chrome(request))
    return render(request, "admin/message.html", context, status_code=status)


def _chrome(request: Request) -> dict[str, Any]:
    who = session_principal(request)
    return {
        "who": who,
        "csrf": csrf_token(request) if who else "",
        "nav": [
            (e.label, e.href)
            for e in NAV
            if who
            and who.kind in ADMINISTRATORS
            and (not e.admin_only or who.kind == PrincipalKind.ADMIN)
        ],
    }


def page(admin: Admin, template: str, status: int = 200, **context: Any) -> Response:
    """A page of the administration, with its header, navigation and any message from the
    save before (post/redirect/get)."""
    request = admin.request
    flash = session(request).pop(FLASH, None) if request.method == "GET" else None
    branch = admin.branch
    lang = language(request)
    if isinstance(flash, dict):
        _ = translator(lang)
        flash["fields"] = [_(f"admin.changed.{name}") for name in flash.get("fields", [])]
    errors: Sequence[FieldError] = context.pop("errors", [])
    labels: Mapping[str, str] = context.pop("labels", {})
    listed = [(e.path, labels.get(e.path, ""), error_text(lang, e)) for e in errors]
    values = {
        **_chrome(request),
        "admin": admin,
        "branch": branch,
        "branches": admin.branches,
        "branch_nav": [(e.label, e.href.format(branch=branch.key)) for e in BRANCH_NAV]
        if branch
        else [],
        "here": request.url.path,
        "tz": ZoneInfo(branch.timezone) if branch else None,
        "language_names": LANGUAGE_NAMES,
        "flash": flash,
        "errors": listed,
        "field_errors": {p: " ".join(t for q, _, t in listed if q == p) for p, _, _ in listed},
        "values": {},
        **context,
    }
    return render(request, template, values, status_code=status)


def saved(
    admin: Admin,
    changes: Sequence[Change] | bool,
    to: str | None = None,
    fields: Sequence[str] = (),
) -> Response:
    """After a save: back to the page (or `to`), which then says what happened."""
    changed = (
        sorted({name for c in changes for name in c.fields})
        if not isinstance(changes, bool)
        else []
    )
    anything = bool(changes)
    session(admin.request)[FLASH] = {"changed": anything, "fields": [*fields, *changed][:12]}
    return RedirectResponse(to or admin.request.url.path, status_code=303)


def invalid(admin: Admin, template: str, errors: Sequence[FieldError], **context: Any) -> Response:
    """The form again, with what was typed and every error at once."""
    values = {k: v for k, v in admin.posted.items() if isinstance(v, str) and k != CSRF_FIELD}
    return page(admin, template, 422, errors=list(errors), values=values, **context)


def error_text(lang: str, error: FieldError) -> str:
    """The translated text of a field error, or its English detail for an unknown code."""
    _ = translator(lang)
    key = f"admin.error.{error.code}"
    text = _(key, **dict(error.params))
    return error.detail if text == key else text


def lang_of(admin: Admin) -> str:
    return language(admin.request)
