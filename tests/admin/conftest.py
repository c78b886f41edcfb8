"""The administration under test: the demo branch, a second branch "nord", and a manager of
each, so every page can be tried by everyone who must be refused and everyone who may not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from skranke.demo import BRANCH
from skranke.queue import administration
from skranke.queue.accounts import Principal, create_user
from skranke.queue.configuration import BranchSetup, CounterSetup, DeviceSetup, ServiceSetup
from skranke.queue.states import Area, DeviceKind, PrincipalKind, Role
from skranke.store import Conn
from tests.conftest import migrated_sqlite
from tests.site import Credentials, Site, csrf_of, demo, in_process

OTHER = "nord"
# Who logs in, with which password; the demo makes admin and staff.
PEOPLE = {
    "admin": "demo-admin",
    "staff": "demo-staff",
    "chef": "demo-chef1",  # manager of the demo branch
    "chef-nord": "demo-chef1",  # manager of "nord" only
}
SETUP_ACTOR = Principal(kind=PrincipalKind.ADMIN, name="test-setup", role=Role.ADMIN)


def with_other_branch(conn: Conn) -> Credentials:
    creds = demo()(conn)
    now = datetime.now(UTC)
    save = administration
    save.save_branch(conn, SETUP_ACTOR, now, BranchSetup(key=OTHER, name="Filial Nord"))
    service = ServiceSetup("pas", "Pas", "Passport", Area.BORGERSERVICE, "P")
    save.save_service(conn, SETUP_ACTOR, now, OTHER, service)
    counter = CounterSetup(1, Area.BORGERSERVICE, {"pas": 1.0}, name="Skranke 1")
    save.save_counter(conn, SETUP_ACTOR, now, OTHER, counter)
    save.save_device(conn, SETUP_ACTOR, now, OTHER, DeviceSetup("kiosk-nord", DeviceKind.KIOSK))
    create_user(conn, "chef", PEOPLE["chef"], Role.MANAGER, [BRANCH])
    create_user(conn, "chef-nord", PEOPLE["chef-nord"], Role.MANAGER, [OTHER])
    return creds


@dataclass
class Admins:
    """One site; `as_(name)` makes its client that person (their session cookie)."""

    site: Site
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def client(self) -> httpx.Client:
        return self.site.client

    def as_(self, name: str | None) -> str:
        """Become `name` (None: nobody); returns the session's CSRF token."""
        self.client.cookies.clear()
        if name is None:
            return ""
        if name not in self.sessions:
            csrf = log_in(self.client, name, PEOPLE[name])
            self.sessions[name] = (csrf, self.client.cookies["skranke_session"])
        csrf, cookie = self.sessions[name]
        self.client.cookies.set("skranke_session", cookie)
        return csrf

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.client.post(path, data=data, follow_redirects=False, **kwargs)


def log_in(client: httpx.Client, username: str, password: str) -> str:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf": csrf_of(form.text), "username": username, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/logout")
    return csrf_of(page.text)


def form_values(html: str) -> dict[str, str]:
    """What a browser would post back from the first form in the page's main part: inputs,
    checked boxes and selected options, as they stand."""
    main = html[html.index("<main") :]
    form = re.search(r"<form method=\"post\"(.*?)</form>", main, re.S)
    assert form is not None, "no form on the page"
    body = form.group(1)
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and " checked" not in tag:
            continue
        values[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        first = re.search(r'<option value="([^"]*)"', options)
        values[name] = (chosen or first).group(1) if (chosen or first) else ""  # type: ignore[union-attr]
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        values[name] = _unescape(text)
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.fixture(scope="module")
def admins(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Admins]:
    folder = tmp_path_factory.mktemp("admin")
    url = migrated_sqlite(folder, sqlite_template)
    with in_process(url, with_other_branch, public_url="http://testserver") as site:
        yield Admins(site)


@pytest.fixture
def fresh(database_url: str) -> Iterator[Admins]:
    """A site of its own (SQLite and PostgreSQL), for a test that changes the set-up."""
    with in_process(database_url, with_other_branch, public_url="http://testserver") as site:
        yield Admins(site)
