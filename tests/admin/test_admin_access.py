"""Every administration page, from the one route table, tried by everyone: nobody logged in,
staff, a manager of another branch, a manager of the branch, and an administrator."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from skranke.config import Settings
from skranke.demo import BRANCH
from skranke.web.admin import PAGES
from skranke.web.admin.common import Page, Scope
from skranke.web.app import create_app
from tests.admin.conftest import OTHER, PEOPLE, Admins
from tests.site import csrf_of

# A real value for each path parameter, at the demo branch and at the other one.
OWN = {"branch": BRANCH, "service": "pas", "device": "kiosk-1", "username": "staff"}
FOREIGN = {"branch": OTHER, "service": "pas", "device": "kiosk-nord", "username": "chef-nord"}
REFUSED = {401, 403, 404}
# The pages, and the API routes only administrators (and managers) may use.
ADMIN_PREFIXES = ("/admin", "/api/v1/stats")


def url(page: Page, values: dict[str, str]) -> str:
    return page.path.format(**values)


def ask(admins: Admins, who: str | None, page: Page, values: dict[str, str]) -> int:
    csrf = admins.as_(who)
    path = url(page, values)
    if page.method == "GET":
        return admins.get(path).status_code
    return admins.post(path, {"csrf": csrf}).status_code


def ids(page: Page) -> str:
    return f"{page.method} {page.path}"


def routed() -> list[tuple[str, str]]:
    """Every administration (method, path) the app answers, whichever module made it."""
    app = create_app(Settings(database_url="sqlite://", public_url="http://testserver"))
    return sorted(
        (method, r.path)
        for r in app.routes
        if isinstance(r, Route) and r.path.startswith(ADMIN_PREFIXES)
        for method in (r.methods or set()) - {"HEAD"}
    )


ROUTED = routed()


def test_every_page_of_the_route_table_is_routed() -> None:
    assert {(p.method, p.path) for p in PAGES} <= set(ROUTED)
    assert len(ROUTED) > len(PAGES), "the statistics and audit routes were not found"


def sample(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: OWN.get(m.group(1), "csv"), path)


@pytest.mark.parametrize(("method", "path"), ROUTED, ids=[f"{m} {p}" for m, p in ROUTED])
def test_every_admin_route_refuses_nobody_and_staff(admins: Admins, method: str, path: str) -> None:
    """Also the routes other modules add under /admin (statistics, audit): none is open."""
    admins.as_(None)
    anonymous = admins.client.request(method, sample(path), follow_redirects=False)
    csrf = admins.as_("staff")
    data = {"csrf": csrf} if method == "POST" else None
    staff = admins.client.request(method, sample(path), data=data, follow_redirects=False)

    assert anonymous.status_code in (303, 401), anonymous.status_code
    assert staff.status_code == 403, staff.status_code


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_nobody_logged_in_is_sent_to_the_login(admins: Admins, page: Page) -> None:
    admins.as_(None)

    response = (admins.get if page.method == "GET" else lambda p: admins.post(p, {}))(
        url(page, OWN)
    )

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_staff_are_refused_with_403(admins: Admins, page: Page) -> None:
    assert ask(admins, "staff", page, OWN) == 403


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_a_manager_cannot_reach_another_branch(admins: Admins, page: Page) -> None:
    status = ask(admins, "chef", page, FOREIGN)

    if page.scope == Scope.ADMIN:
        assert status == 403
    elif "{" in page.path:
        # The same answer as for a branch that does not exist: its name stays unknown.
        assert status == 404
    else:
        assert status not in REFUSED and status < 500


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_a_manager_may_use_every_page_of_their_branch(admins: Admins, page: Page) -> None:
    status = ask(admins, "chef", page, OWN)

    if page.scope == Scope.ADMIN:
        assert status == 403
    else:
        assert status not in REFUSED and status < 500, status


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_an_administrator_may_use_every_page_of_every_branch(admins: Admins, page: Page) -> None:
    for values in (OWN, FOREIGN):
        status = ask(admins, "admin", page, values)

        assert status not in REFUSED and status < 500, (values, status)


@pytest.mark.parametrize("page", [p for p in PAGES if p.method == "POST"], ids=ids)
def test_a_form_without_the_csrf_token_is_refused(admins: Admins, page: Page) -> None:
    admins.as_("admin")

    response = admins.post(url(page, OWN), {"name": "Forged"})

    assert response.status_code == 400
    assert "Formularen er udløbet" in response.text


def test_a_manager_sees_only_their_own_branch_in_the_overview(admins: Admins) -> None:
    admins.as_("chef")

    page = admins.get("/admin").text

    assert "Hovedbiblioteket" in page
    assert "Filial Nord" not in page and f"/admin/b/{OTHER}" not in page


def test_an_administrator_and_a_manager_land_on_admin_after_login(admins: Admins) -> None:
    for name in ("admin", "chef"):
        admins.client.cookies.clear()
        form = admins.client.get("/login").text
        data = {"csrf": csrf_of(form), "username": name, "password": PEOPLE[name]}

        response = admins.client.post("/login", data=data, follow_redirects=False)

        assert response.headers["location"] == "/admin"


def test_staff_land_on_the_counter_picker_after_login(admins: Admins) -> None:
    admins.client.cookies.clear()
    form = admins.client.get("/login").text
    data = {"csrf": csrf_of(form), "username": "staff", "password": PEOPLE["staff"]}

    response = admins.client.post("/login", data=data, follow_redirects=False)

    assert response.headers["location"] == "/counter"


def test_the_counter_page_links_to_admin_for_managers_but_not_for_staff(admins: Admins) -> None:
    admins.as_("chef")
    manager = admins.get("/counter").text
    admins.as_("staff")
    staff = admins.get("/counter").text

    assert 'href="/admin"' in manager
    assert 'href="/admin"' not in staff
